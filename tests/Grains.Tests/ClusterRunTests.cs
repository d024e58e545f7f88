using SegCluster.Contracts;
using SegCluster.Tests;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using SegCluster.Storage;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Grains.Tests;

/// <summary>Runs on a real 3-silo cluster (one CPU slot each): placement, queueing, fan-out, merging, retries, cancel.</summary>
public sealed class ClusterRunTests(LocalClusterFixture cluster) : IClassFixture<LocalClusterFixture>
{
    [Fact]
    public async Task Four_folds_on_three_slots_train_one_per_slot_and_their_batches_merge_exactly()
    {
        var config = cluster.SmallRun("four-folds", [0, 1, 2, 3]);
        await cluster.StartAsync(config);
        var status = await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(6));
        Assert.Equal(RunState.Done, status.State);

        // One training per slot: folds that used the same device never overlapped in time; three slots, four folds.
        var folds = await cluster.Results.ReadFoldsAsync(config.RunId);
        Assert.All(folds, f => Assert.Equal("done", f.Status));
        // The slot is a label (cpu:N); where the tensors were is recorded from the tensors themselves.
        Assert.All(folds, f => Assert.StartsWith("cpu:", f.Device));
        Assert.All(folds, f => Assert.Equal("cpu", f.TrainingDevice));
        Assert.Equal([new ScoringDeviceRow("cpu", 4 * 2 * 5)], await cluster.Results.ReadScoringDevicesAsync(config.RunId));
        var intervals = await FoldIntervalsAsync(config.RunId);
        Assert.True(intervals.Select(i => i.Slot).Distinct().Count() <= 3);
        foreach (var sameSlot in intervals.GroupBy(i => i.Slot))
        {
            var ordered = sameSlot.OrderBy(i => i.Start).ToList();
            for (var i = 1; i < ordered.Count; i++) Assert.True(ordered[i].Start >= ordered[i - 1].End, $"folds overlapped on {sameSlot.Key}");
        }

        // Exact merging: the batches scored across the cluster add up to the same counts as scoring all episodes here.
        TorchSharp.torch.set_num_threads(1);
        var catalog = DataCatalog.Scan(cluster.Data.Sources);
        var totals = await cluster.Results.ReadClassTotalsAsync(config.RunId);
        foreach (var fold in config.Folds)
        {
            var split = FoldSplit.Build(catalog, fold);
            var episodes = FoldSetup.Batches(config, split, 1).SelectMany(b => b).Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds)).ToList();
            var checkpoint = new CheckpointStore(FoldPlan.CheckpointDirectory(cluster.Checkpoints, config.RunId, fold)).LatestGood()!;
            using var network = new OslsmNetwork(OslsmPreset.Tiny with { QuerySize = 48, SupportSize = 48 }, 0, CPU);
            CheckpointFile.LoadModel(checkpoint, network);
            foreach (var (method, solver) in new (string, IEpisodeSolver)[] { ("oslsm", new OslsmSolver(network)), ("all-foreground", new AllForegroundSolver()) })
            {
                var local = EpisodeEvaluator.Score(solver, episodes, split.Test.ToDictionary(i => i.Id)).Scores
                    .GroupBy(s => s.ClassId).OrderBy(g => g.Key)
                    .Select(g => (g.Key, g.Count(), g.Sum(s => s.Counts.TruePositive), g.Sum(s => s.Counts.FalsePositive), g.Sum(s => s.Counts.FalseNegative)));
                var stored = totals.Where(t => t.Fold == fold && t.Method == method && t.Shots == 1).OrderBy(t => t.ClassId)
                    .Select(t => (t.ClassId, t.Episodes, t.TruePositive, t.FalsePositive, t.FalseNegative));
                Assert.Equal(local, stored);
            }
        }
        Assert.Equal(4 * 2 * 5, await cluster.ScalarAsync("SELECT count(*) FROM episode_batches WHERE run_id = @r", ("r", config.RunId)));
    }

    [Fact]
    public async Task A_retried_batch_returns_the_stored_result_and_is_counted_once()
    {
        var config = cluster.SmallRun("retries", [2], iterations: 20, episodes: 14);
        await cluster.StartAsync(config);
        Assert.Equal(RunState.Done, (await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(4))).State);

        var split = FoldSplit.Build(DataCatalog.Scan(cluster.Data.Sources), 2);
        var batch = FoldSetup.Batches(config, split, 1)[1];
        var request = new EpisodeBatchRequest(config, 2, Method.AllForeground, 1, 1, "", batch);
        var again = await cluster.Client.Client.GetGrain<IEpisodeGrain>($"{config.RunId}/2/all-foreground/1/1").ScoreAsync(request);
        Assert.True(again.FromStore);

        // A new batch key, scored twice (the second call as a retry would be): computed once, then read back.
        var fresh = request with { Batch = 9 };
        var first = await cluster.Client.Client.GetGrain<IEpisodeGrain>($"{config.RunId}/2/all-foreground/1/9").ScoreAsync(fresh);
        var second = await cluster.Client.Client.GetGrain<IEpisodeGrain>($"{config.RunId}/2/all-foreground/1/9-retry").ScoreAsync(fresh);
        Assert.False(first.FromStore);
        Assert.True(second.FromStore);
        Assert.Equal(first.Classes, second.Classes);
        Assert.Equal(1, await cluster.ScalarAsync(
            "SELECT count(*) FROM episode_batches WHERE run_id = @r AND method = 'all-foreground' AND batch = 9", ("r", config.RunId)));
    }

    [Fact]
    public async Task Cancel_stops_training_and_frees_the_slots()
    {
        var config = cluster.SmallRun("cancelled", [0, 3], iterations: 1_000_000);
        var run = cluster.Client.Client.GetGrain<IRunGrain>(config.RunId);
        await run.StartAsync(config, null);
        await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(3), s => s.Folds.Any(f => f.State == FoldState.Training && f.Iteration > 0));
        await run.CancelAsync();
        var status = await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(2), s => s.IsFinished && s.Folds.All(f => f.IsFinished));
        Assert.Equal(RunState.Cancelled, status.State);
        await cluster.WaitAsync(config.RunId, TimeSpan.FromSeconds(30), _ =>
            cluster.ScalarAsync("SELECT count(*) FROM device_slots WHERE fold_key LIKE 'cancelled/%'").GetAwaiter().GetResult() == 0);
    }

    [Fact]
    public async Task Killing_the_cli_leaves_the_run_going_and_launching_it_again_follows_it_to_the_end()
    {
        var config = cluster.SmallRun("cli-killed", [0], iterations: 400, episodes: 14);
        string[] launch = ["launch", "--run-id", config.RunId, "--voc", config.Voc, "--sbd", config.Sbd!, "--folds", "0", "--shots", "1",
            "--methods", "oslsm", "all-foreground", "--preset", "tiny", "--query-size", "48", "--support-size", "48", "--iterations", "400",
            "--checkpoint-every", "100", "--episodes", "14", "--batch-size", "7", "--lr", "0.001", "--optimizer", "adam", "--loss", "mean"];
        await using (var cli = CliProcess.Start(cluster.Database.ConnectionString, launch))
        {
            await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(2), s => s.Folds.SingleOrDefault() is { State: FoldState.Training, Iteration: > 0 });
            cli.Process.Kill();   // SIGKILL: the client vanishes without unsubscribing
            await cli.Process.WaitForExitAsync();
        }
        var (exitCode, output) = await CliProcess.RunAsync(cluster.Database.ConnectionString, launch);
        Assert.True(exitCode == 0, output);
        Assert.Contains("Table 1", output);
        Assert.Equal("done", (await cluster.Results.ReadRunAsync(config.RunId))!.Status);
        Assert.Equal(1, await cluster.ScalarAsync("SELECT count(*) FROM runs WHERE run_id = 'cli-killed'"));
    }

    [Fact]
    public async Task Test_seeds_are_separate_draws_and_training_seeds_a_group_reported_together()
    {
        // One fold, all-foreground (its counts are the masks' own, so every stored batch can be checked by scoring it here).
        var config = cluster.SmallRun("test-seeds", [1], iterations: 10, episodes: 20) with { Methods = [Method.AllForeground], TestSeeds = 3, BatchSize = 5 };
        var group = RunSettings.TrainingSeeds(config with { RunId = "train-seeds", TestSeeds = 2 }, 2);
        await cluster.StartAsync(config);
        foreach (var run in group) await cluster.StartAsync(run, "train-seeds");
        foreach (var run in group.Prepend(config))
            Assert.Equal(RunState.Done, (await cluster.WaitAsync(run.RunId, TimeSpan.FromMinutes(4))).State);

        var split = FoldSplit.Build(DataCatalog.Scan(cluster.Data.Sources), 1);
        var stored = await cluster.Results.ReadBatchClassCountsAsync(config.RunId);
        Assert.Equal([0, 1, 2], stored.Select(b => b.TestSeed).Distinct().Order());
        var draws = new List<IReadOnlyList<EpisodeSpec>>();
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var episodes = FoldSetup.Batches(config, split, 1, seed).SelectMany(b => b).ToList();
            draws.Add(episodes);
            var local = EpisodeEvaluator.Score(new AllForegroundSolver(), episodes.Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds)).ToList(),
                    split.Test.ToDictionary(i => i.Id)).Scores
                .GroupBy(s => s.ClassId).OrderBy(g => g.Key).Select(g => (g.Key, g.Count(), g.Sum(s => s.Counts.TruePositive), g.Sum(s => s.Counts.FalseNegative)));
            Assert.Equal(local, stored.Where(b => b.TestSeed == seed).GroupBy(b => b.Counts.ClassId).OrderBy(g => g.Key)
                .Select(g => (g.Key, g.Sum(b => b.Counts.Episodes), g.Sum(b => b.Counts.TruePositive), g.Sum(b => b.Counts.FalseNegative))));
        }
        Assert.NotEqual(draws[0].Select(e => e.QueryId), draws[1].Select(e => e.QueryId));
        // Seed 0 draws what a run without test seeds draws.
        Assert.Equal(FoldSetup.Batches(config with { TestSeeds = 1 }, split, 1).SelectMany(b => b).Select(e => e.QueryId), draws[0].Select(e => e.QueryId));

        var report = await RunReport.LoadAsync(cluster.Results, config.RunId);
        var score = Assert.Single(report.Scores);
        Assert.Equal((3, 60), (score.Spread.Draws, score.Episodes));
        var perDraw = new[] { 0, 1, 2 }.Select(seed => FoldMeanIou.Of(1, stored.Where(b => b.TestSeed == seed).GroupBy(b => b.Counts.ClassId)
            .ToDictionary(g => g.Key, g => g.Select(b => new BinaryCounts(b.Counts.TruePositive, b.Counts.FalsePositive, b.Counts.FalseNegative, b.Counts.TrueNegative))
                .Aggregate((a, b) => a + b)))).ToList();
        Assert.Equal(perDraw.Average(), score.Spread.Mean, 12);
        Assert.Equal(Math.Sqrt(perDraw.Sum(v => Math.Pow(v - perDraw.Average(), 2)) / 2), score.Spread.Std, 12);
        Assert.True(score.Spread.Std > 0);
        var table1 = ReportTable.Table1(report, "generated");   // the 1-shot block: the method's row, then its pooled row; fold 1's column
        Assert.Equal((Method.AllForeground.Label(), "  pooled"), (table1.Rows[1][0], table1.Rows[2][0]));
        Assert.Equal($"{100 * score.Spread.Mean:0.0}±{100 * score.Spread.Std:0.0}", table1.Rows[1][2]);
        Assert.Equal($"{100 * score.MeanIou:0.0} ({100 * score.Low:0.0}-{100 * score.High:0.0})", table1.Rows[2][2]);

        // The group: two runs, seeds 1 and 2, each with two test seeds: four draws pooled; the runs list names the group.
        Assert.Equal(["train-seeds-seed1", "train-seeds-seed2"], await cluster.Results.ReadGroupRunIdsAsync("train-seeds"));
        var grouped = await RunReport.LoadGroupAsync(cluster.Results, "train-seeds", [.. group.Select(r => r.RunId)]);
        Assert.Equal((4, 80), (grouped.Draws, Assert.Single(grouped.Scores).Episodes));
        var members = await Task.WhenAll(group.Select(r => RunReport.LoadAsync(cluster.Results, r.RunId)));
        Assert.Equal(members.Average(m => m.Scores[0].Spread.Mean), grouped.Scores[0].Spread.Mean, 12);
        Assert.All(await cluster.Results.ListRunsAsync(10), r => Assert.Equal(r.RunId.StartsWith("train-seeds", StringComparison.Ordinal) ? "train-seeds" : null, r.Group));
    }

    [Fact]
    public async Task A_run_with_published_fold_lists_scores_only_the_listed_images()
    {
        // Two listed images per test class of fold 3: the run's episodes must come from them alone.
        var split = FoldSplit.Build(DataCatalog.Scan(cluster.Data.Sources), 3);
        var listed = split.TestClasses.SelectMany(c => split.Test.Where(i => i.Classes.Contains(c)).Take(2).Select(i => (i.Id, c))).ToList();
        // Inside the silos' data roots (the fixture's folder), as a user's lists would have to be.
        var lists = Directory.CreateDirectory(Path.Combine(cluster.DataRoot, "fold-lists")).FullName;
        await File.WriteAllLinesAsync(FoldPlan.FoldListPath(lists, 3), listed.Select(p => $"{p.Id} {p.c}"));
        var config = cluster.SmallRun("fold-lists", [3], iterations: 10, episodes: 14) with { Methods = [Method.AllForeground], FoldLists = lists };
        await cluster.StartAsync(config);
        Assert.Equal(RunState.Done, (await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(4))).State);

        var restricted = FoldList.RestrictTest(split, FoldList.Load(FoldPlan.FoldListPath(lists, 3)), lists);
        Assert.Equal(10, restricted.Test.Sum(i => i.Classes.Count));
        var episodes = FoldSetup.Batches(config, restricted, 1).SelectMany(b => b).ToList();
        Assert.All(episodes, e => Assert.Contains((e.QueryId, e.ClassId), listed));
        var local = EpisodeEvaluator.Score(new AllForegroundSolver(), episodes.Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds)).ToList(),
                restricted.Test.ToDictionary(i => i.Id)).Scores
            .GroupBy(s => s.ClassId).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count(), g.Sum(s => s.Counts.TruePositive), g.Sum(s => s.Counts.FalsePositive), g.Sum(s => s.Counts.FalseNegative)));
        var stored = (await cluster.Results.ReadClassTotalsAsync(config.RunId)).OrderBy(t => t.ClassId)
            .Select(t => (t.ClassId, t.Episodes, t.TruePositive, t.FalsePositive, t.FalseNegative));
        Assert.Equal(local, stored);
    }

    [Fact]
    public async Task Baselines_train_the_base_classifier_once_and_score_like_oslsm()
    {
        var config = cluster.SmallRun("baselines", [2], iterations: 20, episodes: 14) with
        {
            Shots = [1, 2],
            Methods = [Method.NearestNeighbour, Method.LogisticRegression, Method.FineTuning, Method.Siamese, Method.Cosegmentation],
            BaseIterations = 30,
            SiameseIterations = 20,
            FineTuneIterations = 5,
            FineTuneLearningRate = 1e-3,
        };
        await cluster.StartAsync(config);
        Assert.Equal(RunState.Done, (await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(5))).State);

        // The base classifier's checkpoints are recorded apart from OSLSM's; co-segmentation ran 2-shot only.
        Assert.True(await cluster.ScalarAsync("SELECT count(*) FROM checkpoints WHERE run_id = 'baselines' AND network = 'base-classifier'") >= 1);
        Assert.True(await cluster.ScalarAsync("SELECT count(*) FROM checkpoints WHERE run_id = 'baselines' AND network = 'siamese'") >= 1);
        foreach (var (method, shots) in new[] { ("co-segmentation", 1), ("finetune", 2), ("siamese", 2) })
            Assert.Equal(0, await cluster.ScalarAsync("SELECT count(*) FROM episode_batches WHERE run_id = 'baselines' AND method = @m AND shots = @k",
                ("m", method), ("k", shots)));
        foreach (var (method, shots) in new[] { ("1-nn", 1), ("1-nn", 2), ("logreg", 1), ("logreg", 2), ("finetune", 1), ("siamese", 1), ("co-segmentation", 2) })
            Assert.Equal(2, await cluster.ScalarAsync("SELECT count(*) FROM episode_batches WHERE run_id = 'baselines' AND method = @m AND shots = @k",
                ("m", method), ("k", shots)));

        // Scored across the cluster from the stored base checkpoint, they equal scoring the same episodes here.
        TorchSharp.torch.set_num_threads(1);
        var split = FoldSplit.Build(DataCatalog.Scan(cluster.Data.Sources), 2);
        var episodes = FoldSetup.Batches(config, split, 1).SelectMany(b => b).Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds)).ToList();
        var checkpoint = new CheckpointStore(FoldPlan.CheckpointDirectory(cluster.Checkpoints, config.RunId, 2, "base-classifier")).LatestGood()!;
        using var network = new PixelClassifierNetwork(OslsmPreset.Tiny with { QuerySize = 48, SupportSize = 48 }, 0, CPU);
        Assert.Equal(30, CheckpointFile.LoadModel(checkpoint, network).Iteration);
        network.eval();
        var local = EpisodeEvaluator.Score(new NearestNeighbourSolver(network), episodes, split.Test.ToDictionary(i => i.Id)).Scores
            .GroupBy(s => s.ClassId).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count(), g.Sum(s => s.Counts.TruePositive), g.Sum(s => s.Counts.FalsePositive), g.Sum(s => s.Counts.FalseNegative)));
        var stored = (await cluster.Results.ReadClassTotalsAsync(config.RunId)).Where(t => t.Method == "1-nn" && t.Shots == 1).OrderBy(t => t.ClassId)
            .Select(t => (t.ClassId, t.Episodes, t.TruePositive, t.FalsePositive, t.FalseNegative));
        Assert.Equal(local, stored);
    }

    [Fact]
    public async Task A_resnet_run_starts_from_the_served_weights_records_their_digest_and_its_meaniou_curve_during_training()
    {
        var config = cluster.SmallRun("resnet", [1], iterations: 10, episodes: 8) with
        {
            Preset = OslsmPreset.ResNet18Dilated8.Name, Methods = [Method.Oslsm, Method.LogisticRegression, Method.FineTuning], BaseIterations = 4,
            FineTuneIterations = 2, LearningRate = 1e-4, EvaluateEvery = 5, EvaluationEpisodes = 6,
        };
        await cluster.StartAsync(config);
        Assert.Equal(RunState.Done, (await cluster.WaitAsync(config.RunId, TimeSpan.FromMinutes(6))).State);

        var provenance = System.Text.Json.JsonDocument.Parse((await cluster.ScalarTextAsync("SELECT provenance FROM runs WHERE run_id = 'resnet'"))!);
        Assert.Equal(OnnxResNet.Sha256, provenance.RootElement.GetProperty("weightsDigest").GetString());

        // The curve: points at 0, 5 and 10, each the stored network of that iteration on the same seeded episodes.
        var report = await RunReport.LoadAsync(cluster.Results, config.RunId);
        Assert.Equal([0, 5, 10], report.TrainingCurves.Select(p => p.Iteration));
        Assert.All(report.TrainingCurves, p => Assert.Equal(6, p.Episodes));
        TorchSharp.torch.set_num_threads(1);
        var split = FoldSplit.Build(DataCatalog.Scan(cluster.Data.Sources), 1);
        var training = FoldSetup.Training(config, 1);
        var checkpoint = new CheckpointStore(FoldPlan.CheckpointDirectory(cluster.Checkpoints, config.RunId, 1, "oslsm")).LatestGood()!;
        using var network = new OslsmNetwork(training.ResolvedPreset, 0, CPU);
        Assert.Equal(10, CheckpointFile.LoadModel(checkpoint, network).Iteration);
        var accumulator = new IouAccumulator();
        foreach (var score in EpisodeEvaluator.Score(new OslsmSolver(network, channelsLast: false),
                     OslsmFoldTraining.TrainingEvaluationEpisodes(split, config.Seed, 6), split.Test.ToDictionary(i => i.Id)).Scores)
            accumulator.Add(score);
        Assert.Equal(accumulator.MeanIou(split.TestClasses), report.TrainingCurves[^1].MeanIou, 6);

        // Scored across the cluster, OSLSM's stored counts equal scoring the same episodes with the stored network here.
        var episodes = FoldSetup.Batches(config, split, 1).SelectMany(b => b).Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds)).ToList();
        var local = EpisodeEvaluator.Score(new OslsmSolver(network, config.Threshold), episodes, split.Test.ToDictionary(i => i.Id)).Scores
            .GroupBy(s => s.ClassId).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count(), g.Sum(s => s.Counts.TruePositive), g.Sum(s => s.Counts.FalsePositive), g.Sum(s => s.Counts.FalseNegative)));
        var stored = (await cluster.Results.ReadClassTotalsAsync(config.RunId)).Where(t => t.Method == "oslsm").OrderBy(t => t.ClassId)
            .Select(t => (t.ClassId, t.Episodes, t.TruePositive, t.FalsePositive, t.FalseNegative));
        Assert.Equal(local, stored);

        // Figure 3's table and plot: the curve and the fold's LogReg reference.
        var table = ReportTable.Training(report, "test");
        Assert.Equal(["0", "5", "10", "LogReg (1-shot, all test episodes)"], table.Rows.Select(r => r[0]));
        Assert.Equal((100 * report.MeanOf(Method.LogisticRegression, 1)!.MeanIou).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), table.Rows[^1][1]);
        Assert.Contains("training", ReportPlots.Names(report));
        Assert.Contains("LogReg, fold 1", ReportPlots.Svg(ReportPlots.Create("training", report, "test")!));
    }

    [Fact]
    public async Task A_subscribed_client_is_pushed_the_runs_progress_and_the_provenance_names_the_data()
    {
        // Long enough to span several of the run grain's 2-second refreshes; evaluation (7 trivial episodes) may pass unseen.
        var config = cluster.SmallRun("pushed", [0], iterations: 1200, episodes: 7) with { Methods = [Method.AllForeground], ProgressEvery = 5 };
        var observer = new CollectingObserver();
        var reference = cluster.Client.Client.CreateObjectReference<IRunObserver>(observer);
        await cluster.StartAsync(config);
        await cluster.Client.Client.GetGrain<IRunGrain>(config.RunId).SubscribeAsync(reference);
        // Nothing asks for the status here: every status below was pushed by the run grain.
        var done = await observer.Finished.Task.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(RunState.Done, done.State);
        // Live progress: the training iteration was pushed at least twice, at different points.
        List<RunStatus> received;
        lock (observer.Received) received = [.. observer.Received];
        var iterations = received.SelectMany(s => s.Folds).Where(f => f.State == FoldState.Training && f.Iteration > 0).Select(f => f.Iteration).Distinct();
        Assert.True(iterations.Count() >= 2, $"training iterations pushed: {string.Join(", ", iterations)}");
        cluster.Client.Client.DeleteObjectReference<IRunObserver>(reference);

        var provenance = System.Text.Json.JsonDocument.Parse((await cluster.ScalarTextAsync("SELECT provenance FROM runs WHERE run_id = 'pushed'"))!);
        Assert.Equal(DataCatalog.Scan(cluster.Data.Sources).Digest(), provenance.RootElement.GetProperty("dataDigest").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, provenance.RootElement.GetProperty("weightsDigest").ValueKind);
    }

    private sealed class CollectingObserver : IRunObserver
    {
        public List<RunStatus> Received { get; } = [];
        public TaskCompletionSource<RunStatus> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnStatus(RunStatus status)
        {
            lock (Received) Received.Add(status);
            if (status.IsFinished) Finished.TrySetResult(status);
        }
    }

    private async Task<IReadOnlyList<(string Slot, DateTime Start, DateTime End)>> FoldIntervalsAsync(string runId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.Database.ConnectionString);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand(
            "SELECT silo || '/' || device, started_at, finished_at FROM folds WHERE run_id = @r", connection);
        query.Parameters.AddWithValue("r", runId);
        var rows = new List<(string, DateTime, DateTime)>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetDateTime(1), reader.GetDateTime(2)));
        return rows;
    }
}
