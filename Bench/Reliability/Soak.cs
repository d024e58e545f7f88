using System.Diagnostics;
using System.Text.Json;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Grains;
using SegCluster.Learning.Data;
using SegCluster.Learning.Training;
using SegCluster.Bench;
using SegCluster.Silo;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Bench.Reliability;

/// <summary>
/// `segcluster soak`: a small run on a local cluster with a PostgreSQL server of its own, undisturbed, then the same run
/// again while a seeded schedule of faults strikes it, followed by a `segcluster launch` process as an operator would.
/// The disturbed run must end with the undisturbed run's numbers: every training point, the final weights, every
/// stored tp/fp/fn/tn count; every batch stored once, every fold done, every slot released, the follower ending 0.
/// </summary>
public static class Soak
{
    public sealed record Settings(int Faults, ulong Seed, int Silos, int Iterations, int Episodes, bool WithDashboard)
    {
        public static Settings For(bool quick, int faults, ulong seed) => quick
            ? new(faults, seed, 3, 2400, 2100, WithDashboard: DashboardProcess.IsBuilt)
            : new(faults, seed, 4, 8000, 2800, WithDashboard: DashboardProcess.IsBuilt);
    }

    /// <param name="Target">What it struck (a silo, the database, a process); why not, where it could not strike.</param>
    public sealed record InjectedFault(Fault Fault, double? AtSeconds, double Progress, string Target, bool Injected);

    public sealed record Check(string Name, bool Equal, string Detail);

    public sealed record Result(Settings Settings, string UndisturbedRun, string DisturbedRun, IReadOnlyList<InjectedFault> Faults,
        IReadOnlyList<Check> Checks)
    {
        public bool Equal => Checks.All(c => c.Equal);
        public int Injected => Faults.Count(f => f.Injected);
    }

    public static async Task<Result> RunAsync(Settings settings, Action<string> log, CancellationToken cancel)
    {
        var root = Directory.CreateTempSubdirectory("segcluster-soak-").FullName;
        try
        {
            await using var database = await LocalPostgres.CreateTemporaryAsync();
            SchemaMigrator.Apply(database.ConnectionString);
            var data = SyntheticPascal.Generate(Path.Combine(root, "data"), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 4));
            var checkpoints = Path.Combine(root, "checkpoints");
            var basePort = LocalCluster.FreePortBlock();
            await using var cluster = LocalCluster.Start(settings.Silos, database.ConnectionString, torchThreads: 1, checkpoints, root, basePort, basePort + 5);
            await using var client = await ClusterClientHost.ConnectWithRetryAsync(database.ConnectionString, cancel, TimeSpan.FromMinutes(3),
                cluster.ThrowIfAnyExited);
            await new RunClient(client.Client).WaitForSilosAsync(settings.Silos, cancel, cluster.ThrowIfAnyExited);
            var results = new ResultsStore(database.ConnectionString);

            var undisturbed = Config($"soak-undisturbed-{settings.Seed}", data, settings);
            log($"soak: undisturbed run {undisturbed.RunId} ({settings.Iterations} iterations per fold, {settings.Episodes} episodes)");
            await using (var follower = Follower.Start(database.ConnectionString, undisturbed, root))
                if (await follower.WaitAsync(cancel) != 0) throw new InvalidOperationException($"the undisturbed run failed: {follower.Output}");

            var schedule = FaultSchedule.Draw(settings.Faults, settings.Seed, settings.WithDashboard);
            var disturbed = undisturbed with { RunId = $"soak-disturbed-{settings.Seed}" };
            log("soak: disturbed run " + disturbed.RunId + ", faults: " + string.Join(", ", schedule.Select(f => $"{f.Kind} at {f.At:P0}")));
            var late = schedule.Any(f => f.Kind == FaultKind.LateSilo) ? settings.Silos - 1 : (int?)null;
            if (late is { } held) await cluster.StopSiloAsync(held);
            var dashboard = settings.WithDashboard ? await DashboardProcess.StartAsync(database.ConnectionString, cancel) : null;
            await using var injector = new Injector(cluster, database, root, disturbed, dashboard, log);
            var clock = Stopwatch.StartNew();
            injector.StartFollower();
            var run = new RunClient(client.Client);
            var injected = new List<InjectedFault>();
            foreach (var fault in schedule)
            {
                var (status, progress) = await WaitForProgressAsync(run, disturbed.RunId, fault.At, Ready(fault.Kind), cancel);
                if (status is null)
                {
                    injected.Add(new InjectedFault(fault, null, progress, "not struck: the run had ended", false));
                    continue;
                }
                var at = clock.Elapsed.TotalSeconds;
                var (target, done) = await injector.InjectAsync(fault, status, late, cancel);
                if (fault.Kind == FaultKind.LateSilo && done) late = null;
                log($"soak: {fault.Kind} at {at:F0} s ({progress:P0}): {target}");
                injected.Add(new InjectedFault(fault, at, progress, target, done));
            }
            if (late is { } stillHeld) cluster.StartSilo(stillHeld);
            var exit = await injector.WaitForFollowerAsync(cancel);
            log($"soak: disturbed run ended after {clock.Elapsed.TotalSeconds:F0} s; comparing");
            var checks = await CompareAsync(results, new DeviceSlots(database.ConnectionString), checkpoints, undisturbed, disturbed, cancel);
            checks.Add(new Check("follower", exit == 0, $"the last `segcluster launch` following the disturbed run exited {exit}"));
            if (dashboard is not null) checks.Add(await injector.DashboardServesAsync(disturbed.RunId, cancel));
            return new Result(settings, undisturbed.RunId, disturbed.RunId, injected, checks);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The soak's run: tiny preset at 48 pixels, folds 0 and 1, 1-shot OSLSM and a reference, small batches.</summary>
    private static RunConfig Config(string runId, SyntheticPascal.Layout data, Settings settings) => RunSettings.PaperProtocol with
    {
        RunId = runId,
        Folds = [0, 1],
        Shots = [1],
        Methods = [Method.Oslsm, Method.AllForeground],
        Preset = "tiny",
        QuerySize = 48,
        SupportSize = 48,
        Voc = Path.GetDirectoryName(data.Voc)!,
        Sbd = Path.GetDirectoryName(data.Sbd)!,
        Iterations = settings.Iterations,
        CheckpointEvery = settings.Iterations / 12,
        ProgressEvery = 10,
        Episodes = settings.Episodes,
        BatchSize = 7,
        LearningRate = 1e-3,
        ConditioningLearningRateMultiplier = 1,
        Loss = LossReduction.Mean,
        Optimizer = Optimizer.Adam,
        Seed = settings.Seed,
    };

    /// <summary>The run's progress: per fold, training is the first half and scoring the second; the mean over folds.</summary>
    private static double Progress(RunStatus status) => status.Folds.Count == 0 ? 0 : status.Folds.Average(f => f.State switch
    {
        FoldState.Done => 1.0,
        FoldState.Evaluating => 0.5 + 0.5 * (f.BatchesTotal == 0 ? 0 : (double)f.BatchesDone / f.BatchesTotal),
        _ when f.State.IsTraining() => 0.5 * (f.Iterations == 0 ? 0 : (double)f.Iteration / f.Iterations),
        _ => 0.0,
    });

    /// <summary>
    /// Waits until the run has reached <paramref name="share"/> of its progress and is <paramref name="ready"/> for the
    /// fault (a scoring silo can only be struck while a fold scores); a null status: the run ended first.
    /// </summary>
    private static async Task<(RunStatus? Status, double Progress)> WaitForProgressAsync(RunClient run, string runId, double share, Func<RunStatus, bool> ready,
        CancellationToken cancel)
    {
        while (true)
        {
            var status = await run.StatusAsync(runId, cancel);
            var progress = Progress(status);
            if (status.IsFinished) return (null, progress);
            if (progress >= share && ready(status)) return (status, progress);
            await Task.Delay(250, cancel);
        }
    }

    /// <summary>When a kind of fault can strike: a scoring silo while a fold scores; anything else at any point.</summary>
    private static Func<RunStatus, bool> Ready(FaultKind kind) => kind switch
    {
        FaultKind.KillScoringSilo => status => status.Folds.Any(f => f.State == FoldState.Evaluating),
        _ => _ => true,
    };

    private static async Task<List<Check>> CompareAsync(ResultsStore results, DeviceSlots slots, string checkpoints, RunConfig undisturbed,
        RunConfig disturbed, CancellationToken cancel)
    {
        var checks = new List<Check>();
        var (a, b) = (undisturbed.RunId, disturbed.RunId);
        static string Points(IEnumerable<TrainingPointRow> points) => string.Join(";", points.Select(p => $"{p.Fold}/{p.Network}/{p.Iteration}={p.Loss:R}"));
        var (pointsA, pointsB) = (await results.ReadTrainingPointsAsync(a, cancel), await results.ReadTrainingPointsAsync(b, cancel));
        checks.Add(new Check("training points", Points(pointsA) == Points(pointsB),
            $"{pointsB.Count} points, {pointsB.Zip(pointsA).Count(p => p.First.Iteration == p.Second.Iteration && p.First.Loss == p.Second.Loss)} equal to the undisturbed run's {pointsA.Count}"));

        var weights = new List<string>();
        var sameWeights = true;
        foreach (var fold in undisturbed.Folds)
            foreach (var network in FoldPlan.Networks(undisturbed))
            {
                var (wa, wb) = (FinalWeights(checkpoints, a, fold, network), FinalWeights(checkpoints, b, fold, network));
                sameWeights &= wa is not null && wa == wb;
                weights.Add($"fold {fold} {network}: {wb?[..12] ?? "missing"}");
            }
        checks.Add(new Check("final weights", sameWeights, "SHA-256 of the final checkpoint's weights: " + string.Join(", ", weights)));

        static string Counts(IEnumerable<BatchClassRow> rows) => string.Join(";", rows.Select(r =>
            $"{r.Fold}/{r.Method}/{r.Shots}/{r.Batch}/{r.Counts.ClassId}:{r.Counts.Episodes},{r.Counts.TruePositive},{r.Counts.FalsePositive},{r.Counts.FalseNegative},{r.Counts.TrueNegative}"));
        var (countsA, countsB) = (await results.ReadBatchClassCountsAsync(a, cancel), await results.ReadBatchClassCountsAsync(b, cancel));
        checks.Add(new Check("stored counts", countsA.Count > 0 && Counts(countsA) == Counts(countsB), $"{countsB.Count} per-batch class counts"));

        var tally = await results.ReadBatchTallyAsync(b, cancel);
        var batches = (undisturbed.Episodes + undisturbed.BatchSize - 1) / undisturbed.BatchSize;
        var expected = undisturbed.Folds.Length * undisturbed.Methods.Length * undisturbed.Shots.Length;
        checks.Add(new Check("batches stored once", tally.Count == expected && tally.All(t => t.Batches == batches && t.Episodes == undisturbed.Episodes),
            string.Join(", ", tally.Select(t => $"fold {t.Fold} {t.Method} {t.Shots}-shot: {t.Batches} batches, {t.Episodes} episodes"))));

        var run = await results.ReadRunAsync(b, cancel);
        var folds = await results.ReadFoldsAsync(b, cancel);
        checks.Add(new Check("folds done", run?.Status == RunState.Done.Name() && folds.All(f => f.Status == FoldState.Done.Name()),
            $"run {run?.Status}; folds {string.Join(", ", folds.Select(f => $"{f.Fold} {f.Status}"))}"));
        // A dead silo's rows count for nothing (placement joins the active silos); a live silo's slot must be free.
        var held = await slots.ReadHeldByRunAsync(b, cancel);
        var live = held.Where(h => h.SiloActive).ToList();
        checks.Add(new Check("slots released", live.Count == 0, held.Count == 0 ? "no device slot held by the run's folds"
            : "still held: " + string.Join(", ", held.Select(h => $"{h.Device} of {h.Silo} ({(h.SiloActive ? "active" : "dead, not counted")}) by {h.FoldKey}"))));
        return checks;
    }

    /// <summary>The SHA-256 of the weights (the model entry) of a network's newest checkpoint; null without one.</summary>
    private static string? FinalWeights(string checkpoints, string runId, int fold, string network) =>
        new CheckpointStore(FoldPlan.CheckpointDirectory(checkpoints, runId, fold, network)).LatestGood() is { } path
            ? CheckpointFile.Verify(path).Sha256.GetValueOrDefault("model.bin")
            : null;

    /// <summary>A `segcluster launch` process following a run, as an operator's terminal would.</summary>
    private sealed class Follower : IAsyncDisposable
    {
        private readonly Process process;
        private readonly System.Text.StringBuilder output = new();

        private Follower(Process process) => this.process = process;

        public string Output { get { lock (output) return output.ToString(); } }

        public static Follower Start(string connectionString, RunConfig config, string folder)
        {
            var file = Path.Combine(folder, config.RunId + ".json");
            File.WriteAllText(file, JsonSerializer.Serialize(config));
            var start = LocalCluster.CliInvocation(null, "launch", "--config", file, "--connect-timeout", "120");
            start.Environment["SEGCLUSTER_DB"] = connectionString;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            var follower = new Follower(Process.Start(start) ?? throw new InvalidOperationException("cannot start segcluster launch"));
            follower.process.OutputDataReceived += (_, e) => follower.Keep(e.Data);
            follower.process.ErrorDataReceived += (_, e) => follower.Keep(e.Data);
            follower.process.BeginOutputReadLine();
            follower.process.BeginErrorReadLine();
            return follower;
        }

        private void Keep(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
        }

        public async Task<int> WaitAsync(CancellationToken cancel)
        {
            await process.WaitForExitAsync(cancel);
            return process.ExitCode;
        }

        public void Kill() => process.Kill(entireProcessTree: true);

        private bool disposed;

        public async ValueTask DisposeAsync()
        {
            if (disposed) return;
            disposed = true;
            await LocalCluster.EndAsync(process);
        }
    }

    /// <summary>Strikes the disturbed run: kills and restarts silos, the database, the follower and the dashboard.</summary>
    private sealed class Injector(LocalCluster cluster, LocalPostgres database, string folder, RunConfig run, DashboardProcess? dashboard,
        Action<string> log) : IAsyncDisposable
    {
        private Follower? follower;
        private DashboardProcess? currentDashboard = dashboard;

        public void StartFollower() => follower = Follower.Start(database.ConnectionString, run, folder);

        public async Task<int> WaitForFollowerAsync(CancellationToken cancel)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromMinutes(15));
            var exit = await follower!.WaitAsync(timeout.Token);
            if (exit != 0) log($"soak: the follower exited {exit}: {follower.Output.Trim().Split('\n').LastOrDefault()}");
            return exit;
        }

        /// <returns>What was struck, and whether it was (a kind that finds nothing to strike says why).</returns>
        public async Task<(string Target, bool Injected)> InjectAsync(Fault fault, RunStatus status, int? lateSilo, CancellationToken cancel)
        {
            var down = TimeSpan.FromSeconds(fault.Seconds);
            switch (fault.Kind)
            {
                case FaultKind.KillTrainingSilo:
                {
                    var fold = status.Folds.FirstOrDefault(f => f.State.IsTraining() && f.Silo is not null);
                    if (fold is null || SiloIndex(fold.Silo!) is not { } index) return ("not struck: no fold was training", false);
                    await KillAndRestartAsync(index, down, cancel);
                    return ($"SIGKILL silo{index}, training fold {fold.Fold} at iteration {fold.Iteration}; restarted after {fault.Seconds} s", true);
                }
                case FaultKind.KillScoringSilo:
                {
                    var scoring = status.Folds.Where(f => f.State == FoldState.Evaluating).ToList();
                    var owners = status.Folds.Select(f => f.Silo is null ? null : SiloIndex(f.Silo)).ToHashSet();
                    var victim = Enumerable.Range(0, cluster.Silos.Count).Cast<int?>()
                        .FirstOrDefault(i => !cluster.Silos[i!.Value].HasExited && !owners.Contains(i) && i != lateSilo);
                    if (victim is not { } index) return ("not struck: every live silo held a fold", false);
                    await KillAndRestartAsync(index, down, cancel);
                    return ($"SIGKILL silo{index} while fold {scoring[0].Fold} scored batch {scoring[0].BatchesDone} of {scoring[0].BatchesTotal}; restarted after {fault.Seconds} s", true);
                }
                case FaultKind.StopDatabase:
                    await database.StopAsync();
                    await Task.Delay(down, cancel);
                    await database.StartAsync();
                    return ($"PostgreSQL stopped (fast shutdown) for {fault.Seconds} s", true);
                case FaultKind.RestartCli:
                    follower!.Kill();
                    await follower.WaitAsync(cancel);
                    await follower.DisposeAsync();
                    await Task.Delay(down, cancel);
                    StartFollower();
                    return ($"SIGKILL the `segcluster launch` following the run; started again after {fault.Seconds} s", true);
                case FaultKind.RestartDashboard:
                    await currentDashboard!.DisposeAsync();
                    await Task.Delay(down, cancel);
                    currentDashboard = await DashboardProcess.StartAsync(database.ConnectionString, cancel);
                    return ($"SIGKILL the dashboard; started again after {fault.Seconds} s", true);
                case FaultKind.LateSilo:
                    if (lateSilo is not { } late) return ("not struck: every silo was up", false);
                    cluster.StartSilo(late);
                    return ($"silo{late} started late", true);
                default:
                    throw new ArgumentOutOfRangeException(nameof(fault), fault.Kind, "unknown fault");
            }
        }

        /// <summary>The dashboard (restarted or not) serves the runs page with the disturbed run on it.</summary>
        public async Task<Check> DashboardServesAsync(string runId, CancellationToken cancel)
        {
            using var http = new HttpClient();
            var page = await http.GetStringAsync(currentDashboard!.Url + "/", cancel);
            return new Check("dashboard", page.Contains(runId, StringComparison.Ordinal), $"{currentDashboard.Url} serves the runs page with {runId}");
        }

        private async Task KillAndRestartAsync(int index, TimeSpan down, CancellationToken cancel)
        {
            cluster.Silos[index].Kill();
            await cluster.Silos[index].WaitForExitAsync(cancel);
            await Task.Delay(down, cancel);
            cluster.StartSilo(index);
        }

        /// <summary>Ends the follower and the dashboard it started (whichever incarnation is current).</summary>
        public async ValueTask DisposeAsync()
        {
            if (follower is not null) await follower.DisposeAsync();
            if (currentDashboard is not null) await currentDashboard.DisposeAsync();
        }

        /// <summary>The local silo index of an Orleans silo address ("127.0.0.1:PORT@GENERATION").</summary>
        private int? SiloIndex(string silo) =>
            int.TryParse(silo.Split('@')[0].Split(':').Last(), out var port) && port - cluster.BasePort is var i and >= 0 && i < cluster.Silos.Count ? i : null;
    }
}
