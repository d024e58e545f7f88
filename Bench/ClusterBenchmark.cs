using System.Diagnostics;
using System.Globalization;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Grains;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Silo;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Bench;

/// <summary>
/// `bench cluster`, on localhost silo processes over a fresh database, one torch thread per silo:
/// (1) a fold's episodes sent in batches to episode grains on two silos, as a fold grain sends them, against the same
/// batches with the same checkpoint and the same concurrency scored in this one process, in alternating passes: the cluster's overhead ratio
/// (median over the passes); (2) four folds trained in
/// parallel on four silos against the same four folds queued on one silo: throughput ratio and parallel efficiency.
/// </summary>
public static class ClusterBenchmark
{
    /// <param name="Passes">timed passes on each side; the machine's speed jumps between two modes (about 1.5x apart), so a
    /// single pair of passes can land in different modes: the median of seven pairs is stable where three were not</param>
    /// <param name="WarmPasses">untimed scoring passes first, on both sides. A silo runs its per-batch code (grain calls,
    /// placement, the grain directory, the results store's retry pipeline) once per batch, and tiered compilation
    /// optimizes a method after 30 calls: after 3 warm passes (about 30 batches per silo) the two silos compiled about 900
    /// methods during the first timed pass; after 6, at most a few hundred per pass, falling to none</param>
    public sealed record Settings(int ScoringSilos, int Episodes, int BatchSize, int Passes, int Folds, int TrainingIterations, int ImageSize, int WarmPasses);

    public static Settings For(bool quick) => quick ? new(2, 60, 20, 1, 2, 30, 48, 1) : new(2, 1000, 50, 7, 4, 400, 128, 6);

    /// <param name="ClusterEpisodeSeconds">the solver's own seconds summed over the episodes, as the episode grains timed them</param>
    /// <param name="InProcessEpisodeSeconds">the same sum in this process: where the two differ, the silos computed slower</param>
    /// <param name="ClusterCpuSeconds">CPU time the silo processes used during a pass (all their threads)</param>
    /// <param name="InProcessCpuSeconds">CPU time this process used during a pass</param>
    /// <param name="ParallelTrainingCores">the silos' CPU seconds over the wall seconds of the parallel training: cores kept busy</param>
    /// <param name="SequentialTrainingCores">the same for the one silo training the folds in turn (its episode loader runs beside the training thread)</param>
    public sealed record Result(Settings Settings, double ClusterScoringSeconds, double InProcessScoringSeconds, double ScoringOverhead,
        double ClusterEpisodeSeconds, double InProcessEpisodeSeconds, double ClusterCpuSeconds, double InProcessCpuSeconds,
        double ParallelTrainingSeconds, double SequentialTrainingSeconds, double ThroughputRatio, double ParallelEfficiency,
        double ParallelTrainingCores, double SequentialTrainingCores);

    public static async Task<Result> RunAsync(Settings settings, Action<string> log, CancellationToken cancel)
    {
        await using var bench = await ScratchDatabase.CreateAsync(DatabaseSettings.Resolve(null), "bench_cluster", cancel: cancel);
        var database = bench.ConnectionString;
        var root = Directory.CreateTempSubdirectory("segcluster-cluster-bench-").FullName;
        try
        {
            var data = SyntheticPascal.Generate(Path.Combine(root, "data"), new SyntheticPascal.Options(Images: 240, Size: settings.ImageSize, Seed: 2));
            var store = new ResultsStore(database);

            // (1) Scoring: a short run gives the checkpoint; a second run id (rows created here) gets the timed batches.
            var trained = Config("bench-scoring", data, settings, folds: [0], iterations: 5, episodes: settings.BatchSize);
            var timed = trained with { RunId = "bench-scoring-timed", Episodes = settings.Episodes };
            var split = new DataCatalogCache().Split(timed, 0);
            var batches = FoldSetup.Batches(timed, split, 1);
            // Passes alternate between the cluster and this process (silos idle meanwhile), so that drift in the shared
            // machine's speed falls on both sides; the overhead is the median of the paired ratios.
            var passes = new List<(Pass Cluster, Pass InProcess)>();
            TorchRuntime.Configure(1);   // this process's scoring as each silo's: --torch-threads 1
            await using (var cluster = await StartAsync(settings.ScoringSilos, database, root, cancel))
            {
                await RunSecondsAsync(cluster.Client, trained, cancel);
                var checkpoint = (await store.ReadCheckpointsAsync(trained.RunId, cancel)).Where(c => c.Network == "oslsm").MaxBy(c => c.Iteration)!.Path;
                using var inProcessScorer = new InProcessScorer(timed, split, checkpoint);
                // Untimed passes under their own run ids warm every silo (data catalog scanned, checkpoint loaded, code
                // compiled), and as many untimed passes warm this process: both sides are timed in the same steady state,
                // whatever ran in this process before (in a full `bench`, thousands of episodes of table2).
                for (var pass = -settings.WarmPasses; pass < settings.Passes; pass++)
                {
                    var config = timed with { RunId = $"bench-scoring-{(pass < 0 ? "warm" : "")}{Math.Abs(pass).ToString(CultureInfo.InvariantCulture)}" };
                    await store.CreateRunAsync(config.RunId, "{}", "bench", "{}", [(0, config.Iterations)], cancellationToken: cancel);
                    var throughGrains = await ClusterScoringAsync(cluster, config, batches, checkpoint, cancel);
                    var inProcess = await inProcessScorer.ScoreAsync(batches, cancel);
                    if (pass < 0) continue;
                    log($"cluster: scoring pass {pass}: {throughGrains.Wall:F2} s through grains ({throughGrains.Solver:F2} s in the solver, " +
                        $"{throughGrains.Cpu:F2} CPU s in the silos), {inProcess.Wall:F2} s in one process ({inProcess.Solver:F2} s in the solver, " +
                        $"{inProcess.Cpu:F2} CPU s)");
                    passes.Add((throughGrains, inProcess));
                }
            }

            // (2) Training: the same folds and iterations, four silos at once against one silo in turn.
            var training = Config("bench-parallel", data, settings, folds: [.. Enumerable.Range(0, settings.Folds)], iterations: settings.TrainingIterations, episodes: 1);
            // Each cluster first trains a few iterations of every fold (its own run id), so that every silo has compiled
            // the training code and scanned the data before the timing, as the single silo has after its first fold.
            var warm = training with { Iterations = Math.Max(1, settings.TrainingIterations / 20) };
            warm = warm with { CheckpointEvery = warm.Iterations, ProgressEvery = warm.Iterations };
            Pass parallel, sequential;
            await using (var cluster = await StartAsync(settings.Folds, database, root, cancel))
            {
                await RunSecondsAsync(cluster.Client, warm with { RunId = "bench-parallel-warm" }, cancel);
                parallel = await TrainingPassAsync(cluster, training, cancel);
            }
            await using (var cluster = await StartAsync(1, database, root, cancel))
            {
                await RunSecondsAsync(cluster.Client, warm with { RunId = "bench-sequential-warm" }, cancel);
                sequential = await TrainingPassAsync(cluster, training with { RunId = "bench-sequential" }, cancel);
            }
            log($"cluster: {settings.Folds} folds in {parallel.Wall:F1} s in parallel ({parallel.Cpu / parallel.Wall:F2} cores busy), " +
                $"{sequential.Wall:F1} s in sequence ({sequential.Cpu / sequential.Wall:F2} cores busy)");
            var throughput = sequential.Wall / parallel.Wall;
            return new Result(settings, BenchEnvironment.Median(passes.Select(p => p.Cluster.Wall)), BenchEnvironment.Median(passes.Select(p => p.InProcess.Wall)),
                BenchEnvironment.Median(passes.Select(p => p.Cluster.Wall / p.InProcess.Wall)),
                BenchEnvironment.Median(passes.Select(p => p.Cluster.Solver)), BenchEnvironment.Median(passes.Select(p => p.InProcess.Solver)),
                BenchEnvironment.Median(passes.Select(p => p.Cluster.Cpu)), BenchEnvironment.Median(passes.Select(p => p.InProcess.Cpu)),
                parallel.Wall, sequential.Wall, throughput, throughput / settings.Folds, parallel.Cpu / parallel.Wall, sequential.Cpu / sequential.Wall);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static RunConfig Config(string runId, SyntheticPascal.Layout data, Settings settings, int[] folds, int iterations, int episodes) =>
        RunSettings.PaperProtocol with
        {
            RunId = runId, Folds = folds, Shots = [1], Methods = [Method.Oslsm], Preset = "tiny", QuerySize = settings.ImageSize, SupportSize = settings.ImageSize,
            Voc = Path.GetDirectoryName(data.Voc)!, Sbd = Path.GetDirectoryName(data.Sbd)!, Iterations = iterations, CheckpointEvery = iterations,
            ProgressEvery = Math.Max(1, iterations / 10), Episodes = episodes, BatchSize = settings.BatchSize, LearningRate = 1e-3,
            ConditioningLearningRateMultiplier = 1, Loss = LossReduction.Mean, Optimizer = Optimizer.Adam,
        };

    private sealed class Cluster(LocalCluster silos, ClusterClientHost client) : IAsyncDisposable
    {
        public IClusterClient Client => client.Client;

        /// <summary>CPU seconds the silo processes have used so far.</summary>
        public double CpuSeconds => silos.Silos.Sum(p => { p.Refresh(); return p.TotalProcessorTime.TotalSeconds; });

        public async ValueTask DisposeAsync()
        {
            await client.DisposeAsync();
            await silos.DisposeAsync();
        }
    }

    private static async Task<Cluster> StartAsync(int silos, string database, string root, CancellationToken cancel)
    {
        var basePort = LocalCluster.FreePortBlock();
        var cluster = LocalCluster.Start(silos, database, torchThreads: 1, Path.Combine(root, "checkpoints"), root, basePort, basePort + 5);
        var client = await ClusterClientHost.ConnectWithRetryAsync(database, cancel, beforeRetry: cluster.ThrowIfAnyExited);
        await new RunClient(client.Client).WaitForSilosAsync(silos, cancel, cluster.ThrowIfAnyExited);
        return new Cluster(cluster, client);
    }

    /// <summary>One pass: its wall seconds, the solver's own seconds summed over the episodes scored (0 for training), CPU seconds of the processes doing the work.</summary>
    private sealed record Pass(double Wall, double Solver, double Cpu);

    /// <summary>The batches sent to episode grains with a fold grain's concurrency, timed until the last is stored.</summary>
    private static Task<Pass> ClusterScoringAsync(Cluster cluster, RunConfig config, IReadOnlyList<EpisodeSpec[]> batches,
        string checkpoint, CancellationToken cancel) =>
        ScoringPassAsync(batches, () => cluster.CpuSeconds, async (episodes, batch) =>
        {
            var result = await cluster.Client.GetGrain<IEpisodeGrain>($"{config.RunId}/0/oslsm/1/{batch}")
                .ScoreAsync(new EpisodeBatchRequest(config, 0, Method.Oslsm, 1, batch, checkpoint, episodes));
            if (result.FromStore) throw new InvalidOperationException("a timed batch was already stored");
            return result.EpisodeSeconds.Sum();
        }, cancel);

    /// <summary>
    /// One timed scoring pass, the same on both sides: every batch given to <paramref name="score"/> (which returns the
    /// solver's seconds summed over its episodes) with as many in flight as a fold grain sends.
    /// </summary>
    private static async Task<Pass> ScoringPassAsync(IReadOnlyList<EpisodeSpec[]> batches, Func<double> cpuSeconds,
        Func<EpisodeSpec[], int, Task<double>> score, CancellationToken cancel)
    {
        using var gate = new SemaphoreSlim(FoldPlan.ParallelBatches);
        var cpu = cpuSeconds();
        var clock = Stopwatch.StartNew();
        var episodeSeconds = await Task.WhenAll(batches.Select(async (episodes, batch) =>
        {
            await gate.WaitAsync(cancel);
            try { return await score(episodes, batch); }
            finally { gate.Release(); }
        }));
        return new Pass(clock.Elapsed.TotalSeconds, episodeSeconds.Sum(), cpuSeconds() - cpu);
    }

    /// <summary>A training run: wall seconds, and the CPU seconds of the silo processes (no solver time: Solver is 0).</summary>
    private static async Task<Pass> TrainingPassAsync(Cluster cluster, RunConfig config, CancellationToken cancel)
    {
        var cpu = cluster.CpuSeconds;
        var seconds = await RunSecondsAsync(cluster.Client, config, cancel);
        return new Pass(seconds, 0, cluster.CpuSeconds - cpu);
    }

    private static async Task<double> RunSecondsAsync(IClusterClient client, RunConfig config, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var runs = new RunClient(client);
        await runs.StartAsync(config, cancel);
        var status = await runs.WaitAsync(config.RunId, cancel);
        if (status.State != RunState.Done) throw new InvalidOperationException($"benchmark run {config.RunId} {status.State.Name()}: {status.Error}");
        return clock.Elapsed.TotalSeconds;
    }

    private static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// Scores the batches in this process the way a silo does, minus Orleans and PostgreSQL: on <see cref="TorchWorkers"/>
    /// kept across passes, with as many batches in flight as a fold grain sends, one model loaded once.
    /// </summary>
    private sealed class InProcessScorer(RunConfig config, FoldSplit split, string checkpoint) : IDisposable
    {
        private readonly Dictionary<string, AnnotatedImage> images = split.Test.ToDictionary(i => i.Id);
        private readonly ModelCache models = new();
        private readonly TorchWorkers workers = new();

        public Task<Pass> ScoreAsync(IReadOnlyList<EpisodeSpec[]> batches, CancellationToken cancel)
        {
            var solvers = new SolverFactory(models, Microsoft.Extensions.Options.Options.Create(new SiloSettings()));
            return ScoringPassAsync(batches, ProcessCpuSeconds, (episodes, _) => workers.RunAsync(() =>
                EpisodeEvaluator.Score(solvers.Create(Method.Oslsm, config, 0, checkpoint),
                    [.. episodes.Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds))], images).Seconds.Sum()), cancel);
        }

        public void Dispose()
        {
            workers.Dispose();
            models.Dispose();
        }
    }
}
