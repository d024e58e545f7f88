using SegCluster.Contracts;
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
        await using var database = await LocalPostgres.CreateTemporaryAsync();
        await using var cluster = await ClusterUnderTest.StartAsync(database.ConnectionString, 2);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Url) };

        var config = cluster.SmallRun("outage", [0], iterations: 800, episodes: 42) with { Methods = [Method.Oslsm] };
        await cluster.StartAsync(config, timeout.Token);
        // The fold is mid-training when the database goes: its progress, checkpoints and state writes must wait.
        await cluster.WaitAsync("outage", s => s.Folds.Single() is { State: FoldState.Training, Iteration: >= 100 }, timeout.Token);
        Assert.Contains("outage", await http.GetStringAsync("/"));

        await database.StopAsync();
        var during = await http.GetStringAsync("/");
        Assert.Contains("database-error", during);
        Assert.Contains("The database is unreachable", during);
        await Task.Delay(TimeSpan.FromSeconds(8));
        await database.StartAsync();

        var finished = await cluster.WaitAsync("outage", s => s.IsFinished, timeout.Token);
        Assert.True(finished.State == RunState.Done, string.Join("; ", finished.Folds));
        cluster.Silos.ThrowIfAnyExited();
        var after = await http.GetStringAsync("/");
        Assert.DoesNotContain("database-error", after);
        Assert.Contains("outage", after);

        // Nothing lost, nothing counted twice: the same counts and every training point of an undisturbed run.
        var control = config with { RunId = "undisturbed" };
        await cluster.StartAsync(control, timeout.Token);
        Assert.Equal(RunState.Done, (await cluster.WaitAsync("undisturbed", s => s.IsFinished, timeout.Token)).State);
        var store = new ResultsStore(database.ConnectionString);
        var counts = await store.ReadClassTotalsAsync("outage");
        Assert.NotEmpty(counts);
        Assert.Equal(await store.ReadClassTotalsAsync("undisturbed"), counts);
        var points = await store.ReadTrainingPointsAsync("outage");
        Assert.Equal(80, points.Count);
        Assert.Equal((await store.ReadTrainingPointsAsync("undisturbed")).Select(p => (p.Iteration, p.Loss)), points.Select(p => (p.Iteration, p.Loss)));
    }
}
