using System.Net;
using SegCluster.Dashboard.Components;
using SegCluster.Storage;

namespace SegCluster.Dashboard;

/// <summary>Builds the dashboard web app (Blazor, server-rendered) over the results database.</summary>
public static class DashboardApp
{
    public static WebApplication Build(string[] args, string? connectionString = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var database = DatabaseSettings.Resolve(connectionString ?? builder.Configuration.GetConnectionString(DatabaseSettings.ConnectionStringName));
        RefuseOpenBindWithoutSecret(builder.Configuration);
        builder.Services.AddSingleton(new ResultsStore(database));
        builder.Services.AddSingleton(new RunsQuery(database));
        builder.Services.AddRazorComponents();
        var app = builder.Build();
        app.UseAntiforgery();
        app.MapRazorComponents<App>();
        // Liveness and readiness for k8s: answers without touching the database.
        app.MapGet("/healthz", () => "ok");
        return app;
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
