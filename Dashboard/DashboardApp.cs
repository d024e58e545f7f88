using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using MudBlazor.Services;
using SegCluster.Dashboard.Components;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Dashboard;

/// <summary>Builds the dashboard: Blazor with interactive server rendering over the results database, sign-in, exports.</summary>
public static class DashboardApp
{
    public const string AdminRole = "admin";

    public static WebApplication Build(string[] args, string? connectionString = null)
    {
        // The application name picks the static web asset manifests (blazor.web.js, MudBlazor's CSS and JS) that the build
        // writes next to the assembly; naming it keeps them found when a test host, not this executable, is the entry point.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory, ApplicationName = typeof(DashboardApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseStaticWebAssets();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var database = DatabaseSettings.Resolve(connectionString ?? builder.Configuration.GetConnectionString(DatabaseSettings.ConnectionStringName));
        RefuseOpenBindWithoutSecret(builder.Configuration);
        var settings = DashboardSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        // Pages show a database outage at once and read again; they do not wait it out as the silos' writers do.
        builder.Services.AddSingleton(new ResultsStore(database, retry: false));
        builder.Services.AddSingleton(new ClusterConnection(database));
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = "/signin";
            o.Cookie.Name = "segcluster-auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
        });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddMudServices();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        // Liveness and readiness for k8s: answers without touching the database.
        app.MapGet("/healthz", () => "ok");
        MapAccount(app, settings);
        MapExports(app);
        return app;
    }

    /// <summary>Sign-in with the admin secret (form post with antiforgery token), sign-out.</summary>
    private static void MapAccount(WebApplication app, DashboardSettings settings)
    {
        app.MapPost("/account/signin", async ([FromForm] string secret, [FromForm] string? returnUrl, HttpContext context) =>
        {
            var target = returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") ? returnUrl : "/";
            if (!settings.CanSignIn || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(settings.AdminSecret!)))
                return Results.Redirect($"/signin?failed=1&returnUrl={Uri.EscapeDataString(target)}");
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, AdminRole)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.LocalRedirect(target);
        });
        app.MapPost("/account/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/");
        });
    }

    /// <summary>
    /// Every table as CSV, Markdown or LaTeX and every plot as PNG or SVG, of a run (/export/{run}/table1.csv,
    /// /plots/{run}/heatmap-1shot.svg) or of a group of runs trained under several seeds (/export/groups/{group}/...,
    /// /plots/groups/{group}/...); the gallery's PNGs.
    /// </summary>
    private static void MapExports(WebApplication app)
    {
        app.MapGet("/export/{runId}/{name}.{format}", (string runId, string name, string format, ResultsStore store, CancellationToken cancel) =>
            TableAsync(store, runId, group: false, name, format, cancel));
        app.MapGet("/export/groups/{group}/{name}.{format}", (string group, string name, string format, ResultsStore store, CancellationToken cancel) =>
            TableAsync(store, group, group: true, name, format, cancel));
        app.MapGet("/plots/{runId}/{name}.{format}", (string runId, string name, string format, ResultsStore store, CancellationToken cancel) =>
            PlotAsync(store, runId, group: false, name, format, cancel));
        app.MapGet("/plots/groups/{group}/{name}.{format}", (string group, string name, string format, ResultsStore store, CancellationToken cancel) =>
            PlotAsync(store, group, group: true, name, format, cancel));
        app.MapGet("/gallery/{runId}/{fold:int}/{method}/{shots:int}/{classId:int}.png",
            async (string runId, int fold, string method, int shots, int classId, ResultsStore store, CancellationToken cancel) =>
                await store.ReadGalleryPngAsync(runId, fold, method, shots, classId, cancel) is { } png ? Results.File(png, "image/png") : Results.NotFound());
    }

    private static async Task<IResult> TableAsync(ResultsStore store, string id, bool group, string name, string format, CancellationToken cancel)
    {
        if (await RunLabels.LoadAsync(store, id, group, cancel) is not var (report, data)) return Results.NotFound($"no {(group ? "group" : "run")} '{id}'");
        var table = ReportTable.Named(name, report, data, RunLabels.Machine);
        if (table is null) return Results.NotFound($"no table '{name}' ({string.Join(", ", ReportTable.Names)})");
        return format switch
        {
            "csv" => Results.File(Encoding.UTF8.GetBytes(table.ToCsv()), "text/csv", $"{id}-{name}.csv"),
            "md" => Results.File(Encoding.UTF8.GetBytes(table.ToMarkdown()), "text/markdown", $"{id}-{name}.md"),
            "tex" => Results.File(Encoding.UTF8.GetBytes(table.ToLatex()), "application/x-tex", $"{id}-{name}.tex"),
            _ => Results.NotFound($"no format '{format}' (csv, md, tex)"),
        };
    }

    private static async Task<IResult> PlotAsync(ResultsStore store, string id, bool group, string name, string format, CancellationToken cancel)
    {
        if (await RunLabels.LoadAsync(store, id, group, cancel) is not var (report, data)) return Results.NotFound($"no {(group ? "group" : "run")} '{id}'");
        if (format is not ("png" or "svg")) return Results.NotFound($"no format '{format}' (png, svg)");
        if (ReportPlots.Create(name, report, data) is not { } plot) return Results.NotFound($"no plot '{name}' ({string.Join(", ", ReportPlots.Names(report))})");
        return format == "png"
            ? Results.File(ReportPlots.Png(plot), "image/png")
            : Results.Text(ReportPlots.Svg(plot), "image/svg+xml", Encoding.UTF8);
    }

    /// <summary>Viewing is open on loopback; a wider bind needs an admin secret configured (Dashboard:AdminSecret).</summary>
    private static void RefuseOpenBindWithoutSecret(IConfiguration configuration)
    {
        // Kestrel binds every interface for http_ports (ASPNETCORE_HTTP_PORTS, set by the .NET container images).
        var ports = (configuration["http_ports"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => $"http://*:{p}");
        var urls = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"]) is { } configured
            ? configured.Split(';', StringSplitOptions.RemoveEmptyEntries)
            : ports.DefaultIfEmpty("http://127.0.0.1:5080").ToArray();
        var open = urls.Where(u => !IsLoopback(u)).ToList();
        if (open.Count > 0 && string.IsNullOrWhiteSpace(configuration["Dashboard:AdminSecret"]))
            throw new InvalidOperationException(
                $"refusing to listen on {string.Join(", ", open)} without an admin secret: set Dashboard:AdminSecret (environment Dashboard__AdminSecret) or bind to 127.0.0.1");
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri)) return false;
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
