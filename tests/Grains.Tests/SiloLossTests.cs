using SegCluster.Contracts;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Grains.Tests;

/// <summary>
/// SIGKILL a silo while it trains a fold: the fold resumes from its last checkpoint on another silo and the run
/// ends with exactly the numbers of an uninterrupted run with the same seed. (Own cluster: it loses a silo.)
/// </summary>
public sealed class SiloLossTests(SiloLossTests.Fixture cluster) : IClassFixture<SiloLossTests.Fixture>
{
    public sealed class Fixture : LocalClusterFixture;

    [Fact]
    public async Task A_fold_whose_silo_is_killed_resumes_elsewhere_with_the_same_results()
    {
        var interrupted = cluster.SmallRun("killed", [1], iterations: 600, episodes: 21) with { CheckpointEvery = 50 };
        await cluster.StartAsync(interrupted);
        var training = await cluster.WaitAsync(interrupted.RunId, TimeSpan.FromMinutes(3),
            s => s.Folds.Single().State == FoldState.Training && s.Folds.Single().Iteration >= 150);
        var victimSilo = training.Folds.Single().Silo!;
        var port = int.Parse(victimSilo.Split('@')[0].Split(':')[1]);
        var victim = cluster.Cluster.Silos[port - cluster.Cluster.BasePort];
        victim.Kill();   // SIGKILL: no graceful shutdown, no last checkpoint
        await victim.WaitForExitAsync();

        var finished = await cluster.WaitAsync(interrupted.RunId, TimeSpan.FromMinutes(5), silosMustLive: false);
        Assert.Equal(RunState.Done, finished.State);
        var fold = (await cluster.Results.ReadFoldsAsync(interrupted.RunId)).Single();
        Assert.NotEqual(victimSilo, fold.Silo);

        var uninterrupted = interrupted with { RunId = "not-killed" };
        await cluster.StartAsync(uninterrupted);
        var second = await cluster.WaitAsync(uninterrupted.RunId, TimeSpan.FromMinutes(5), silosMustLive: false);
        Assert.True(second.State == RunState.Done, string.Join("; ", second.Folds));

        var control = uninterrupted with { RunId = "not-killed-again" };
        await cluster.StartAsync(control);
        await cluster.WaitAsync(control.RunId, TimeSpan.FromMinutes(5), silosMustLive: false);
        Assert.Equal(await cluster.Results.ReadClassTotalsAsync(uninterrupted.RunId), await cluster.Results.ReadClassTotalsAsync(control.RunId));

        // The same training: every recorded loss agrees, before and after the kill, and so do the final weights.
        Assert.Equal(60, await cluster.ScalarAsync("""
            SELECT count(*) FROM training_points a JOIN training_points b ON a.iteration = b.iteration AND b.run_id = 'not-killed'
             WHERE a.run_id = 'killed' AND a.loss = b.loss
            """));
        Assert.Equal(FinalWeights(interrupted.RunId), FinalWeights(uninterrupted.RunId));
        // ...and every checkpoint is on record.
        Assert.Equal(Enumerable.Range(1, 12).Select(i => 50 * i),
            (await cluster.Results.ReadCheckpointsAsync(interrupted.RunId)).Where(c => c.Network == "oslsm").Select(c => c.Iteration));

        var a = await cluster.Results.ReadClassTotalsAsync(interrupted.RunId);
        var b = await cluster.Results.ReadClassTotalsAsync(uninterrupted.RunId);
        Assert.NotEmpty(a);
        Assert.Equal(b, a);
    }

    private byte[] FinalWeights(string runId)
    {
        var store = new CheckpointStore(FoldPlan.CheckpointDirectory(cluster.Checkpoints, runId, 1));
        using var network = new OslsmNetwork(OslsmPreset.Tiny with { QuerySize = 48, SupportSize = 48 }, 0, CPU);
        Assert.Equal(600, CheckpointFile.LoadModel(store.LatestGood()!, network).Iteration);
        return network.parameters().SelectMany(p => p.bytes.ToArray()).ToArray();
    }
}

/// <summary>
/// SIGKILL a silo while the cluster scores a fold's episodes: the batches in flight there are scored again elsewhere
/// and nothing is counted twice. (Own cluster: it loses a silo.)
/// </summary>
public sealed class ScoringSiloLossTests(ScoringSiloLossTests.Fixture cluster) : IClassFixture<ScoringSiloLossTests.Fixture>
{
    public sealed class Fixture : LocalClusterFixture;

    [Fact]
    public async Task Batches_of_a_silo_killed_while_scoring_are_scored_elsewhere_and_counted_once()
    {
        var interrupted = cluster.SmallRun("killed-scoring", [2], iterations: 30, episodes: 1400);
        await cluster.StartAsync(interrupted);
        var scoring = await cluster.WaitAsync(interrupted.RunId, TimeSpan.FromMinutes(3),
            s => s.Folds.SingleOrDefault() is { State: FoldState.Evaluating, BatchesDone: >= 10 });
        Assert.True(scoring.Folds.Single().BatchesDone < scoring.Folds.Single().BatchesTotal, "scoring ended before the kill");
        // Not the fold's own silo: its batches are in flight on every silo, and the fold grain that retries them lives.
        var foldSilo = scoring.Folds.Single().Silo!;
        var silos = cluster.Cluster.Silos;
        var victim = silos[Enumerable.Range(0, silos.Count).First(i => !silos[i].HasExited && !foldSilo.Contains($":{cluster.Cluster.BasePort + i}@"))];
        victim.Kill();
        await victim.WaitForExitAsync();

        var finished = await cluster.WaitAsync(interrupted.RunId, TimeSpan.FromMinutes(5), silosMustLive: false);
        Assert.True(finished.State == RunState.Done, string.Join("; ", finished.Folds));
        var uninterrupted = interrupted with { RunId = "not-killed-scoring" };
        await cluster.StartAsync(uninterrupted);
        Assert.Equal(RunState.Done, (await cluster.WaitAsync(uninterrupted.RunId, TimeSpan.FromMinutes(5), silosMustLive: false)).State);

        var a = await cluster.Results.ReadClassTotalsAsync(interrupted.RunId);
        Assert.Equal(1400, a.Where(t => t.Method == "oslsm").Sum(t => t.Episodes));
        Assert.Equal(await cluster.Results.ReadClassTotalsAsync(uninterrupted.RunId), a);
    }
}
