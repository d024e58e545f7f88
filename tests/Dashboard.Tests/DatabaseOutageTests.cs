using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Silo.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>
/// PostgreSQL stopped for several seconds while a fold trains and restarted: the silos' writes wait it out, the run
/// completes with exactly the results and training curve of an undisturbed run with the same seed, and the dashboard
/// shows the outage and recovers without a restart. The test's own server, so the suite's is never stopped.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task A_run_survives_a_database_restart_and_the_dashboard_shows_the_outage_then_recovers()
    {
        await using var database = await PrivatePostgres.CreateAsync();
        SchemaMigrator.Apply(database.ConnectionString);
        var root = Directory.CreateTempSubdirectory("segcluster-outage-").FullName;
        var data = SyntheticPascal.Generate(Path.Combine(root, "data"), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 4));
        var basePort = 46000 + Random.Shared.Next(0, 1000) * 10;
        await using var cluster = LocalCluster.Start(2, database.ConnectionString, torchThreads: 1, Path.Combine(root, "checkpoints"), root,
            basePort, basePort + 5, cli: BrowserFixture.CliAssembly());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await using var client = await ClusterClientHost.ConnectWithRetryAsync(database.ConnectionString, timeout.Token, beforeRetry: cluster.ThrowIfAnyExited);
        await DemoCommand.WaitForSilosAsync(client.Client, 2, timeout.Token, cluster);
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        await using var dashboard = DashboardApp.Build(["--urls", url], database.ConnectionString);
        await dashboard.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        var config = RunConfig.PaperProtocol with
        {
            RunId = "outage", Folds = [0], Shots = [1], Methods = ["oslsm"], Preset = "tiny", QuerySize = 48, SupportSize = 48,
            Voc = Path.GetDirectoryName(data.Voc)!, Sbd = Path.GetDirectoryName(data.Sbd)!, Iterations = 800, CheckpointEvery = 100,
            ProgressEvery = 10, Episodes = 42, BatchSize = 7, LearningRate = 1e-3, ConditioningLearningRateMultiplier = 1, MeanLoss = true,
            Optimizer = "adam",
        };
        await LaunchCommand.StartWithRetryAsync(client.Client, config, timeout.Token);
        await WaitAsync(client.Client, "outage", s => s.Folds.Single() is { State: "training", Iteration: >= 100 }, timeout.Token);
        Assert.Contains("outage", await http.GetStringAsync("/"));

        await database.StopAsync();
        var during = await http.GetStringAsync("/");
        Assert.Contains("database-error", during);
        Assert.Contains("The database is unreachable", during);
        await Task.Delay(TimeSpan.FromSeconds(8));
        await database.StartAsync();

        var finished = await WaitAsync(client.Client, "outage", s => s.IsFinished, timeout.Token);
        Assert.True(finished.State == "done", string.Join("; ", finished.Folds));
        cluster.ThrowIfAnyExited();
        var after = await http.GetStringAsync("/");
        Assert.DoesNotContain("database-error", after);
        Assert.Contains("outage", after);

        // Nothing lost, nothing counted twice: the same counts and every training point of an undisturbed run.
        var control = config with { RunId = "undisturbed" };
        await LaunchCommand.StartWithRetryAsync(client.Client, control, timeout.Token);
        Assert.Equal("done", (await WaitAsync(client.Client, "undisturbed", s => s.IsFinished, timeout.Token)).State);
        var store = new ResultsStore(database.ConnectionString);
        var counts = await store.ReadClassTotalsAsync("outage");
        Assert.NotEmpty(counts);
        Assert.Equal(await store.ReadClassTotalsAsync("undisturbed"), counts);
        var points = await store.ReadTrainingPointsAsync("outage");
        Assert.Equal(80, points.Count);
        Assert.Equal((await store.ReadTrainingPointsAsync("undisturbed")).Select(p => (p.Iteration, p.Loss)), points.Select(p => (p.Iteration, p.Loss)));
        Directory.Delete(root, recursive: true);
    }

    private static async Task<RunStatus> WaitAsync(IClusterClient client, string runId, Func<RunStatus, bool> until, CancellationToken cancel)
    {
        while (true)
        {
            var status = await RunFollower.StatusAsync(client.GetGrain<IRunGrain>(runId), cancel);
            if (until(status)) return status;
            await Task.Delay(200, cancel);
        }
    }
}
