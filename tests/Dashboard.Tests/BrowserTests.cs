using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Dashboard.Tests;

/// <summary>
/// The dashboard in Chromium: sign in, launch a small run, Table 1, CSV export, gallery, watch a run live and cancel it, compare; the result
/// views (BrowserTests.ResultViews.cs).
/// </summary>
public sealed partial class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>The fixture, for the parts of this class in other files (one cluster and browser for all of them).</summary>
    private BrowserFixture Fixture => fixture;

    [Fact]
    public async Task A_signed_in_user_launches_a_run_exports_table_1_and_opens_the_gallery()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "/launch");
        await page.WaitForURLAsync("**/launch");
        await page.Locator("#signed-in").WaitForAsync();
        await BrowserFixture.InteractiveAsync(page);
        await LaunchAsync(page, "browser-run", iterations: 300, methods: ["all-foreground"]);

        await page.WaitForURLAsync("**/runs/browser-run");
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("done", new() { Timeout = 240_000 });
        await Assertions.Expect(page.Locator("#table1")).ToContainTextAsync("oslsm", new() { Timeout = 10_000 });
        await BrowserFixture.ScreenshotAsync(page, "run-done");

        // The CSV export holds exactly the table the page shows, computed from the stored batches.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#table1-csv"));
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        var run = await fixture.Results.ReadRunAsync("browser-run");
        var expected = ReportTable.Table1(await RunReport.LoadAsync(fixture.Results, "browser-run"), RunLabels.Data(run!));
        Assert.Equal(expected.ToCsv(), csv);
        Assert.StartsWith("method,PASCAL-5^0,PASCAL-5^1,PASCAL-5^2,PASCAL-5^3,mean\r\n1-shot,", csv);   // the paper's layout
        Assert.Contains("\r\noslsm,", csv);
        Assert.Contains("\r\nall-foreground,", csv);

        await page.ClickAsync("#gallery-link");
        await page.WaitForURLAsync("**/runs/browser-run/gallery");
        // One sample per class of fold 0 seen in the first batch, for each of the two methods.
        var stored = await fixture.Results.ReadGalleryAsync("browser-run");
        Assert.Equal(["all-foreground", "oslsm"], stored.Select(e => e.Method).Distinct().Order());
        var images = page.Locator(".gallery-sample img");
        await Assertions.Expect(images).ToHaveCountAsync(stored.Count);
        Assert.True(await images.First.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : 0") > 0, "the gallery image did not load");
        await BrowserFixture.ScreenshotAsync(page, "gallery");

        await page.GotoAsync("/runs/browser-run/table2");
        await Assertions.Expect(page.Locator("#table2")).ToContainTextAsync("all-foreground");
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#runs")).ToContainTextAsync("browser-run");
        await BrowserFixture.ScreenshotAsync(page, "runs");
    }

    [Fact]
    public async Task Launch_form_errors_name_the_field_and_write_nothing()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "/launch");
        await page.WaitForURLAsync("**/launch");
        await page.Locator("#signed-in").WaitForAsync();
        await BrowserFixture.InteractiveAsync(page);

        await BrowserFixture.Field(page, "run-id").FillAsync("outside-roots");
        await BrowserFixture.Field(page, "voc").FillAsync("/etc");
        await page.ClickAsync("#launch");
        await Assertions.Expect(page.Locator("#launch-error")).ToContainTextAsync("voc: '/etc' is outside the configured data roots");

        await BrowserFixture.Field(page, "voc").FillAsync(fixture.Cluster.DataRoot + "/../../../../etc");
        await page.ClickAsync("#launch");
        await Assertions.Expect(page.Locator("#launch-error")).ToContainTextAsync("outside the configured data roots");

        await BrowserFixture.Field(page, "voc").FillAsync(Path.GetDirectoryName(fixture.Cluster.Data.Voc)!);
        await BrowserFixture.Field(page, "folds").FillAsync("0,7");
        await page.ClickAsync("#launch");
        await Assertions.Expect(page.Locator("#launch-error")).ToContainTextAsync("folds: distinct values in 0..3");

        await BrowserFixture.Field(page, "folds").FillAsync("zero");
        await page.ClickAsync("#launch");
        await Assertions.Expect(page.Locator("#launch-error")).ToContainTextAsync("folds: 'zero' is not an integer");
        await BrowserFixture.ScreenshotAsync(page, "launch");

        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM runs WHERE run_id = 'outside-roots'", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Launching_needs_the_admin_secret()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "/launch", secret: "wrong");
        await page.Locator("#signin-failed").WaitForAsync();
        Assert.Equal(0, await page.Locator("#launch").CountAsync());

        // Without a session cookie the sign-in endpoint refuses a form that lacks the antiforgery token.
        var response = await page.APIRequest.PostAsync("/account/signin", new() { Form = page.APIRequest.CreateFormData().Set("secret", BrowserFixture.AdminSecret) });
        Assert.Equal(400, response.Status);
    }

    [Fact]
    public async Task A_signed_in_user_watches_a_run_live_and_cancels_it()
    {
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "/launch");
        await page.WaitForURLAsync("**/launch");
        await BrowserFixture.InteractiveAsync(page);
        await LaunchAsync(page, "browser-cancel", iterations: 1_000_000, methods: []);
        await page.WaitForURLAsync("**/runs/browser-cancel");

        // Live progress: the fold's iteration advances on the page without a reload. Watched here, where training
        // cannot finish first: a short run can end between two of the page's 2 s polls (CI saw 0 then 300 of 300).
        var iteration = page.Locator("#fold-0 .iteration");
        var first = await WaitForAsync(iteration, text => Iteration(text) > 0);
        await WaitForAsync(iteration, text => Iteration(text) > Iteration(first));
        await BrowserFixture.ScreenshotAsync(page, "run-live");
        Assert.EndsWith("/runs/browser-cancel", page.Url);

        await page.ClickAsync("#cancel");
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
        Assert.Equal("cancelled", (await fixture.Results.ReadRunAsync("browser-cancel"))!.Status);
    }

    [Fact]
    public async Task Two_runs_selected_on_the_runs_page_are_compared_side_by_side()
    {
        foreach (var (run, seed, tp) in new[] { ("compare-a", 1, 50L), ("compare-b", 2, 20L) })
        {
            await fixture.Results.CreateRunAsync(run, $$"""{"Preset":"tiny","Folds":[0],"Shots":[1],"Methods":["oslsm"],"Seed":{{seed}}}""", "h", "{}", [(0, 10)]);
            await fixture.Results.SaveBatchAsync(new BatchRow(new BatchKey(run, 0, "oslsm", 1, 0), [new ClassCountsRow(1, 1, tp, 100 - tp, 0, 900)], [0.01], "s"));
            await fixture.Results.SetRunStatusAsync(run, "done");
        }
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await BrowserFixture.InteractiveAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "runs-list");
        foreach (var run in new[] { "compare-a", "compare-b" })
            await page.Locator("#runs tr", new() { HasText = run }).Locator("input[type=checkbox]").CheckAsync();
        await Assertions.Expect(page.Locator("#compare-selected")).ToHaveAttributeAsync("href", "compare?runs=compare-a&runs=compare-b");
        await page.ClickAsync("#compare-selected");
        await page.WaitForURLAsync("**/compare?runs=*");

        await Assertions.Expect(page.Locator("#config-diff")).ToContainTextAsync("Seed");
        var row = page.Locator("#class-diff tr", new() { HasText = "aeroplane" });
        await Assertions.Expect(row).ToContainTextAsync("50.0");     // 50 / (50 + 50)
        await Assertions.Expect(row).ToContainTextAsync("20.0");     // 20 / (20 + 80)
        await Assertions.Expect(row).ToContainTextAsync("-30.0");
        await BrowserFixture.ScreenshotAsync(page, "compare");
    }

    private async Task LaunchAsync(IPage page, string runId, int iterations, string[] methods)
    {
        await BrowserFixture.Field(page, "run-id").FillAsync(runId);
        await BrowserFixture.Field(page, "voc").FillAsync(Path.GetDirectoryName(fixture.Cluster.Data.Voc)!);
        await BrowserFixture.Field(page, "sbd").FillAsync(Path.GetDirectoryName(fixture.Cluster.Data.Sbd)!);
        await BrowserFixture.Field(page, "folds").FillAsync("0");
        await BrowserFixture.Field(page, "shots").FillAsync("1");
        foreach (var method in methods) await page.Locator($"#methods-{method} input, input#methods-{method}").First.CheckAsync();
        await page.Locator("#preset-tiny input, input#preset-tiny").First.CheckAsync();
        await page.Locator("#optimizer-adam input, input#optimizer-adam").First.CheckAsync();
        await page.Locator("#loss-mean input, input#loss-mean").First.CheckAsync();
        foreach (var (id, value) in new[] { ("query-size", "48"), ("support-size", "48"), ("iterations", iterations.ToString()),
                     ("checkpoint-every", "100"), ("episodes", "40"), ("batch-size", "20"), ("lr", "0.001") })
            await BrowserFixture.Field(page, id).FillAsync(value);
        await page.ClickAsync("#launch");
    }

    private static async Task<string> WaitForAsync(ILocator locator, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var text = await locator.InnerTextAsync();
            if (condition(text)) return text;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"still '{text}'");
            await Task.Delay(200);
        }
    }

    private static int Iteration(string text) => int.Parse(Regex.Match(text, @"^\s*(\d+)").Groups[1].Value);
}
