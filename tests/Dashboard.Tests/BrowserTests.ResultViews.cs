using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Storage;

namespace SegCluster.Dashboard.Tests;

// The result views, each checked against the stored numbers: test seeds' mean ± std, the shots table and curve, the
// per-class heatmap, a group of training seeds, and a prediction on genuine VOC photos behind sign-in.
public sealed partial class BrowserTests
{
    private static string Sample(string part) => Path.Combine(AppContext.BaseDirectory, "fixtures", "voc-sample", "VOCdevkit", "VOC2012", part);

    [Fact]
    public async Task A_run_with_test_seeds_and_two_shot_counts_shows_its_tables_and_plots_and_a_signed_in_user_predicts_with_it()
    {
        var config = Fixture.Cluster.SmallRun("browser-views", [0], iterations: 30, episodes: 20) with
        {
            Shots = [1, 2], Methods = [Method.Oslsm, Method.AllForeground], TestSeeds = 2, BatchSize = 10,
        };
        await Fixture.Cluster.StartAsync(config, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            Assert.Equal(RunState.Done, (await Fixture.Cluster.WaitAsync(config.RunId, s => s.IsFinished, timeout.Token)).State);
        var run = (await Fixture.Results.ReadRunAsync(config.RunId))!;
        var report = await RunReport.LoadAsync(Fixture.Results, config.RunId);
        Assert.Equal(2, report.Draws);

        var page = await Fixture.NewPageAsync();
        await page.GotoAsync($"/runs/{config.RunId}");
        await BrowserFixture.InteractiveAsync(page);   // the live page re-renders once its circuit connects
        await Assertions.Expect(page.Locator("#table1")).ToContainTextAsync("±");
        await Assertions.Expect(page.Locator("#shots")).ToContainTextAsync("all-foreground");
        // Every cell of Table 1 (mean ± std over the two draws, the pooled row beneath) and of the shots table as computed from the stored batches.
        foreach (var (id, table) in new[] { ("table1", ReportTable.Table1(report, RunLabels.Data(run))), ("shots", ReportTable.KShot(report, RunLabels.Data(run))) })
            Assert.Equal(table.Rows.SelectMany(r => r).Select(c => c.Trim()), await page.Locator($"#{id} tbody td").AllInnerTextsAsync());
        // Table 1 keeps the paper's shot counts (here 1); 2 shots are in the shots table.
        Assert.Equal(["1-shot", "oslsm", "  pooled", "  paper", "all-foreground", "  pooled"], ReportTable.Table1(report, "").Rows.Select(r => r[0]));
        Assert.Equal(["method", "1-shot", "2-shot", "per added shot"], ReportTable.KShot(report, "").Columns);

        // The plots load; the heatmap's SVG holds every per-class IoU of the stored report, the curve one point per shot count.
        Assert.Contains("shots", ReportPlots.Names(report));
        foreach (var name in new[] { "heatmap-1shot", "bars-1shot", "shots", "precision-recall-1shot" })
        {
            var image = page.Locator($"#plot-{name}");
            await image.ScrollIntoViewIfNeededAsync();
            await Assertions.Expect(image).ToHaveJSPropertyAsync("complete", true);
            Assert.True(await image.EvaluateAsync<int>("img => img.naturalWidth") > 0, $"{name} did not load");
        }
        var svg = await (await page.APIRequest.GetAsync($"/plots/{config.RunId}/heatmap-1shot.svg")).TextAsync();
        var texts = Regex.Matches(svg, @"<text[^>]*>\s*([^<]*?)\s*<").Select(m => m.Groups[1].Value).ToList();
        var cells = report.Scores.Where(s => s.Shots == 1).SelectMany(s => s.ClassIou.Values).Select(iou => (100 * iou).ToString("0.0", CultureInfo.InvariantCulture)).ToList();
        Assert.All(cells, cell => Assert.Contains(cell, texts));   // every cell's label, as the report has it
        var png = await (await page.APIRequest.GetAsync($"/plots/{config.RunId}/shots.png")).BodyAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(404, (await page.APIRequest.GetAsync($"/plots/{config.RunId}/heatmap-7shot.svg")).Status);
        await BrowserFixture.ScreenshotAsync(page, "run-plots");

        // Predict with the run's fold 0 on genuine VOC photos: a dog support (its mask) and another dog as the query.
        await page.ClickAsync("#predict-link");
        await page.WaitForURLAsync("**/signin**");
        await page.FillAsync("#secret", BrowserFixture.AdminSecret);
        await page.ClickAsync("#signin");
        await page.WaitForURLAsync($"**/predict?run={config.RunId}");
        await BrowserFixture.InteractiveAsync(page);
        await page.SetInputFilesAsync("#predict-supports", Sample("JPEGImages/2008_002536.jpg"));
        await page.SetInputFilesAsync("#predict-masks", Sample("SegmentationClass/2007_004189.png"));   // another photo's mask: the wrong size
        await page.SetInputFilesAsync("#predict-query", Sample("JPEGImages/2007_004189.jpg"));
        await Assertions.Expect(page.Locator("#predict-files")).ToContainTextAsync("1 support(s), 1 mask(s), 2007_004189.jpg");
        await BrowserFixture.Field(page, "predict-class").FillAsync("dog");
        await page.ClickAsync("#predict");
        await Assertions.Expect(page.Locator("#predict-error")).ToContainTextAsync("mask0/2007_004189.png: is 500x333, its image");

        await page.SetInputFilesAsync("#predict-masks", Sample("SegmentationClass/2008_002536.png"));
        await Assertions.Expect(page.Locator("#predict-files")).ToContainTextAsync("1 mask(s)");
        await page.ClickAsync("#predict");
        await Assertions.Expect(page.Locator("#predict-result-class")).ToHaveTextAsync("dog", new() { Timeout = 60_000 });
        var checkpoint = (await Fixture.Results.ReadCheckpointsAsync(config.RunId)).Where(c => c.Fold == 0 && c.Network == "oslsm").MaxBy(c => c.Iteration)!;
        await Assertions.Expect(page.Locator("#predict-result-sha")).ToHaveTextAsync(checkpoint.Sha256);
        // The mask shown is the query's size, holds the dog's label where predicted, and its share is the one the page states.
        var source = (await page.Locator("#predict-mask").GetAttributeAsync("src"))!;
        var file = Path.Combine(Directory.CreateTempSubdirectory("segcluster-browser-").FullName, "mask.png");
        await File.WriteAllBytesAsync(file, Convert.FromBase64String(source["data:image/png;base64,".Length..]));
        var mask = ImageFiles.ReadPngMask(file);
        Assert.Equal((500, 333), (mask.Width, mask.Height));
        Assert.All(mask.Labels.Distinct(), v => Assert.Contains(v, new byte[] { 0, 12 }));
        var share = mask.Labels.Count(v => v == 12) / (double)mask.Labels.Length;
        await Assertions.Expect(page.Locator("#predict-result-share")).ToHaveTextAsync((100 * share).ToString("0.0", CultureInfo.InvariantCulture));
        Assert.True(await page.Locator("#predict-overlay").EvaluateAsync<int>("img => img.naturalWidth") == 500);
        await BrowserFixture.ScreenshotAsync(page, "predict");
    }

    [Fact]
    public async Task A_group_of_training_seeds_is_listed_together_and_its_page_pools_the_runs()
    {
        // Two runs of one group, stored as the cluster stores them: fold 0, OSLSM 1-shot, one batch each.
        foreach (var (run, seed, tp) in new[] { ("group-a-seed1", 1, 60L), ("group-a-seed2", 2, 30L) })
        {
            await Fixture.Results.CreateRunAsync(run, $$"""{"Preset":"tiny","Folds":[0],"Shots":[1],"Methods":["oslsm"],"Seed":{{seed}}}""", "h", "{}", [(0, 10)], "group-a");
            await Fixture.Results.SaveBatchAsync(new BatchRow(new BatchKey(run, 0, "oslsm", 1, 0), [new ClassCountsRow(1, 1, tp, 100 - tp, 0, 900)], [0.01], "s"));
            await Fixture.Results.SetRunStatusAsync(run, "done");
        }
        var page = await Fixture.NewPageAsync();
        await page.GotoAsync("/");
        await BrowserFixture.InteractiveAsync(page);
        await Assertions.Expect(page.Locator("#runs tr", new() { HasText = "group-a-seed1" }).Locator(".group-link")).ToHaveTextAsync("group-a");
        await Assertions.Expect(page.Locator("#runs tr", new() { HasText = "group-a-seed2" }).Locator(".group-link")).ToHaveTextAsync("group-a");
        await page.Locator("#runs tr", new() { HasText = "group-a-seed1" }).Locator(".group-link").ClickAsync();
        await page.WaitForURLAsync("**/groups/group-a");

        // aeroplane's IoU is 0.6 and 0.3 in the two runs; fold 0's other classes have no episodes (0): meanIoU 0.12 and 0.06.
        await Assertions.Expect(page.Locator("#group-runs")).ToContainTextAsync("2 runs");
        var row = page.Locator("#table1 tbody tr", new() { HasText = "oslsm" }).First;
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("9.0±4.2");   // mean 9.0, std sqrt(2 * 3^2) = 4.2
        var grouped = await RunReport.LoadGroupAsync(Fixture.Results, "group-a", ["group-a-seed1", "group-a-seed2"]);
        Assert.Equal(ReportTable.Table1(grouped, "").Rows.SelectMany(r => r).Select(c => c.Trim()), await page.Locator("#table1 tbody td").AllInnerTextsAsync());
        var csv = await (await page.APIRequest.GetAsync("/export/groups/group-a/table1.csv")).TextAsync();
        Assert.Contains("oslsm,9.0±4.2,", csv);
        Assert.Matches(new Regex(@"pooled,9\.0 \("), csv);
    }
}
