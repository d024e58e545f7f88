using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using SegCluster.Client;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Silo.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>
/// The dashboard as users meet it: served by Kestrel on loopback over a fresh PostgreSQL database, with a real
/// two-silo cluster behind it (silo processes of the built CLI) and a small generated data set under its data root,
/// driven by Debian's Chromium through Playwright (no browser download is possible here).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string AdminSecret = "browser-test-secret";
    private const int SiloCount = 2;

    public TestDatabase Database { get; private set; } = null!;
    public string DataRoot { get; private set; } = null!;
    public SyntheticPascal.Layout Data { get; private set; } = null!;
    public string BaseUrl { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public ResultsStore Results => new(Database.ConnectionString);
    private LocalCluster cluster = null!;
    private ClusterClientHost client = null!;
    private WebApplication dashboard = null!;
    private IPlaywright playwright = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        SchemaMigrator.Apply(Database.ConnectionString);
        var root = Path.Combine(Path.GetTempPath(), "segcluster-tests", Guid.NewGuid().ToString("N"));
        DataRoot = Path.Combine(root, "data");
        Data = SyntheticPascal.Generate(Path.Combine(DataRoot, "generated"), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 4));
        var basePort = 42000 + Random.Shared.Next(0, 2000) * 10;
        cluster = LocalCluster.Start(SiloCount, Database.ConnectionString, torchThreads: 1, Path.Combine(root, "checkpoints"), DataRoot, basePort, basePort + 5,
            cli: CliAssembly());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        client = await ClusterClientHost.ConnectWithRetryAsync(Database.ConnectionString, timeout.Token, beforeRetry: cluster.ThrowIfAnyExited);
        await DemoCommand.WaitForSilosAsync(client.Client, SiloCount, timeout.Token, cluster);

        BaseUrl = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        dashboard = DashboardApp.Build(["--urls", BaseUrl, "--Dashboard:AdminSecret", AdminSecret, "--Dashboard:DataRoots", DataRoot], Database.ConnectionString);
        await dashboard.StartAsync();

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"], Headless = true });
    }

    /// <summary>
    /// The CLI as the build left it (Silo/bin/CONFIGURATION/net10.0): this test host's folder holds the web app's
    /// dependency set, in which the CLI's hosting packages give way to the ASP.NET Core framework it does not load.
    /// </summary>
    public static string CliAssembly()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));   // tests/Dashboard.Tests/bin/CONFIGURATION/net10.0
        var configuration = bin.Parent!.Name;
        var repository = bin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var cli = Path.Combine(repository, "Silo", "bin", configuration, bin.Name, "segcluster.dll");
        return File.Exists(cli) ? cli : throw new FileNotFoundException($"build the solution first: {cli} is missing", cli);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseUrl, AcceptDownloads = true, ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    /// <summary>Signs in with the admin secret through the sign-in form; the page ends where returnUrl pointed.</summary>
    public static async Task SignInAsync(IPage page, string returnPath, string secret = AdminSecret)
    {
        await page.GotoAsync(returnPath);
        await page.WaitForURLAsync("**/signin**");
        await page.FillAsync("#secret", secret);
        await page.ClickAsync("#signin");
    }

    /// <summary>Waits until the page's circuit is live (prerendered input would be replaced when it connects).</summary>
    public static Task InteractiveAsync(IPage page) => page.Locator("[data-interactive=yes]").WaitForAsync();

    /// <summary>The input of a MudBlazor field given its id (the id lands on the input or on its wrapper).</summary>
    public static ILocator Field(IPage page, string id) => page.Locator($"input#{id}, #{id} input").First;

    /// <summary>Writes a full-page screenshot to SEGCLUSTER_SCREENSHOTS when set (how docs/screenshots are made).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SEGCLUSTER_SCREENSHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (dashboard is not null) await dashboard.DisposeAsync();
        if (client is not null) await client.DisposeAsync();
        if (cluster is not null) await cluster.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}
