using Microsoft.Playwright;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>
/// The dashboard as users meet it, over a fresh PostgreSQL database with a real two-silo cluster behind it, driven by
/// Debian's Chromium through Playwright (no browser download is possible here).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string AdminSecret = "browser-test-secret";

    public ScratchDatabase Database { get; private set; } = null!;
    public ClusterUnderTest Cluster { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public ResultsStore Results => new(Database.ConnectionString);
    private IPlaywright playwright = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Cluster = await ClusterUnderTest.StartAsync(Database.ConnectionString, 2,
            "--Dashboard:AdminSecret", AdminSecret, "--Dashboard:DataRoots", "{data}");
        // Generous waits: on a loaded 2-core machine a circuit round trip or a run's start can take many seconds.
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"], Headless = true });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = Cluster.Url, AcceptDownloads = true, ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
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
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}
