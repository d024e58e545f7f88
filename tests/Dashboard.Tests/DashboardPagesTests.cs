using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>The dashboard served by Kestrel on loopback over a real PostgreSQL database holding one scored run.</summary>
public sealed class DashboardPagesTests
{
    [Fact]
    public async Task With_no_silo_up_the_launch_forms_cluster_connection_says_so_in_one_line()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var cluster = new ClusterConnection(database.ConnectionString);
        // The launch form shows an InvalidOperationException's message as its form error.
        var error = await Assert.ThrowsAsync<SegCluster.Client.ClusterUnavailableException>(() => cluster.GetAsync(CancellationToken.None));
        Assert.IsAssignableFrom<InvalidOperationException>(error);
        Assert.StartsWith("no silo is reachable: none answered through the cluster's membership table in 10 s", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Runs_page_and_run_page_show_the_stored_scores_beside_the_papers()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var store = new ResultsStore(database.ConnectionString);
        await store.CreateRunAsync("shown", """{"Preset":"tiny","Folds":[0],"Shots":[1],"Methods":["oslsm"],"Seed":7}""", "hash", "{}", [(0, 100)]);
        await store.UpdateFoldAsync("shown", new FoldRow(0, "done", "silo-a", "cuda:0", 100, 100, 12.5, null, "cuda:0 (Test GPU)"));
        // Fold 0's classes are 1..5: IoU 0.5 for class 1 and 0.25 for class 2, nothing for the others: meanIoU 15.0%.
        await store.SaveBatchAsync(new BatchRow(new BatchKey("shown", 0, "oslsm", 1, 0),
            [new ClassCountsRow(1, 2, 50, 25, 25, 900), new ClassCountsRow(2, 1, 10, 20, 10, 960)], [0.02, 0.03, 0.04], "silo-b", Device: "cpu"));
        await store.SetRunStatusAsync("shown", "done");

        var port = LoopbackPorts.Free();
        await using var app = DashboardApp.Build(["--urls", $"http://127.0.0.1:{port}"], database.ConnectionString);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var runs = await http.GetStringAsync("/");
        Assert.Contains("href=\"runs/shown\"", runs);
        Assert.Contains("15.0", runs);

        var run = await http.GetStringAsync("/runs/shown");
        Assert.Contains("aeroplane 50.0, bicycle 25.0", run);
        // The slot a fold claimed, where its training tensors were, and where its batches were scored.
        Assert.Contains("class=\"device\">cuda:0", run);
        Assert.Contains("ran on cuda:0 (Test GPU)", run);
        Assert.Contains("Scored on: cpu (1 batches)", run);
        Assert.Contains("33.6", run);        // the paper's fold-0 1-shot figure, labelled beside ours
        Assert.Contains("-18.6", run);       // 15.0 - 33.6
        Assert.Contains("0.0300", await http.GetStringAsync("/runs/shown/table2"));   // median seconds per episode

        // Exports: the same rows as CSV, Markdown and LaTeX, named after the run.
        var csv = await http.GetAsync("/export/shown/table1.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("shown-table1.csv", csv.Content.Headers.ContentDisposition?.ToString());
        // Table 1 in the paper's layout: a block per shot count, folds as columns, the paper's figures under ours.
        Assert.Equal(["method,PASCAL-5^0,PASCAL-5^1,PASCAL-5^2,PASCAL-5^3,mean", "1-shot,,,,,", "oslsm,15.0 (15.0-15.0),,,,15.0 (15.0-15.0)",
            "  paper,33.6,55.3,40.9,33.5,40.8"], (await csv.Content.ReadAsStringAsync()).Split("\r\n").Take(4));
        var lines = (await http.GetStringAsync("/export/shown/table1-long.csv")).Split("\r\n");
        Assert.Equal("method,shots,fold,class IoU %,meanIoU,95% CI,draws,mean ± std over draws,FB-IoU,precision,recall,paper (VOC + VGG-16, Titan X),difference".Replace("paper (VOC + VGG-16, Titan X)", "\"paper (VOC + VGG-16, Titan X)\""), lines[0]);
        Assert.StartsWith("oslsm,1,0,\"aeroplane 50.0, bicycle 25.0, bird 0.0, boat 0.0, bottle 0.0\",15.0,15.0-15.0,1,15.0 ± 0.0,", lines[1]);
        Assert.Contains("| oslsm | 15.0 (15.0-15.0) |  |  |  | 15.0 (15.0-15.0) |", await http.GetStringAsync("/export/shown/table1.md"));
        Assert.Contains("| oslsm | 1 | mean |", await http.GetStringAsync("/export/shown/table1-long.md"));
        // Per class: IoU, precision and recall of each of the fold's classes (aeroplane: IoU 50%).
        Assert.Contains("\r\noslsm,1,0,aeroplane,50.0,", await http.GetStringAsync("/export/shown/classes.csv"));
        Assert.Contains("oslsm & 0.0300 & 1.00 & 0.19 & 1.00 \\\\", await http.GetStringAsync("/export/shown/table2.tex"));   // Table 2 in the paper's layout
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/export/shown/table3.csv")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/export/nobody/table1.csv")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Binding_beyond_loopback_without_an_admin_secret_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync();
        var error = Assert.Throws<InvalidOperationException>(() => DashboardApp.Build(["--urls", "http://0.0.0.0:5099"], database.ConnectionString));
        Assert.Contains("admin secret", error.Message);
        await using var allowed = DashboardApp.Build(["--urls", "http://0.0.0.0:5099", "--Dashboard:AdminSecret", "s3cret"], database.ConnectionString);
    }
}
