using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class FoldTrainingTests
{
    private static readonly Lazy<DataCatalog> Catalog = new(() =>
        DataCatalog.Scan(SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 200, Size: 64, Seed: 5)).Sources));

    private static FoldTrainingConfig Config(int iterations, int every = 5, string preset = "tiny") =>
        new(Fold: 1, Preset: preset, QuerySize: 64, SupportSize: 64, Iterations: iterations, CheckpointEvery: every, ProgressEvery: 5,
            Seed: 42, Training: TrainingOptions.TinyMeanLoss);

    [Theory]
    [InlineData("tiny")]
    [InlineData("resnet18-dilated8")]   // resnet18-fcn32 trains, resumes and scores in the default-device tripwire
    public void Resuming_from_a_checkpoint_continues_bit_for_bit(string preset)
    {
        var split = FoldSplit.Build(Catalog.Value, 1);
        var straight = new CheckpointStore(Fixtures.TempDirectory());
        var straightFinal = new OslsmFoldTraining(split, Config(15, preset: preset), straight, CPU).Run(null, default);

        var interrupted = new CheckpointStore(Fixtures.TempDirectory());
        new OslsmFoldTraining(split, Config(10, preset: preset), interrupted, CPU).Run(null, default);       // stops after iteration 10
        var resumedFinal = new OslsmFoldTraining(split, Config(15, preset: preset), interrupted, CPU).Run(null, default);

        Assert.Equal(Parameters(straightFinal, preset), Parameters(resumedFinal, preset));
    }

    [Fact]
    public void Evaluation_during_training_scores_the_network_of_each_point_and_changes_nothing_it_trains()
    {
        var split = FoldSplit.Build(Catalog.Value, 1);
        var plain = new OslsmFoldTraining(split, Config(15), new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default);
        var config = Config(15) with { Evaluation = new TrainingEvaluationOptions(Every: 5, Episodes: 12) };
        var store = new CheckpointStore(Fixtures.TempDirectory(), keep: 10);
        var points = new List<TrainingEvaluation>();
        var training = new OslsmFoldTraining(split, config, store, CPU) { Evaluated = points.Add };
        var final = training.Run(null, default);
        Assert.Equal(Parameters(plain), Parameters(final));
        Assert.Equal([0, 5, 10, 15], points.Select(p => p.Iteration));
        Assert.All(points, p => Assert.Equal(12, p.Episodes));

        // Each point is the meanIoU of the same episodes scored by the network as checkpointed at that iteration.
        var episodes = OslsmFoldTraining.TrainingEvaluationEpisodes(split, config.Seed, 12);
        var images = split.Test.ToDictionary(i => i.Id);
        foreach (var point in points)
        {
            using var network = OslsmFoldTraining.CreateNetwork(config.ResolvedPreset, config, CPU);
            if (point.Iteration > 0) CheckpointFile.LoadModel(store.PathFor(point.Iteration), network);
            var accumulator = new IouAccumulator();
            foreach (var score in EpisodeEvaluator.Score(new OslsmSolver(network), episodes, images).Scores) accumulator.Add(score);
            Assert.Equal(accumulator.MeanIou(split.TestClasses), point.MeanIou, 12);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => (config with { Evaluation = new TrainingEvaluationOptions(0, 12) }).Validate());
    }

    [Fact]
    public void Resuming_late_continues_bit_for_bit()
    {
        var split = FoldSplit.Build(Catalog.Value, 1);
        var straightFinal = new OslsmFoldTraining(split, Config(300, 50), new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default);
        var interrupted = new CheckpointStore(Fixtures.TempDirectory());
        new OslsmFoldTraining(split, Config(150, 50), interrupted, CPU).Run(null, default);
        var resumedFinal = new OslsmFoldTraining(split, Config(300, 50), interrupted, CPU).Run(null, default);
        Assert.Equal(Parameters(straightFinal), Parameters(resumedFinal));
    }

    [Fact]
    public void Checkpoints_newer_than_the_record_are_trained_again()
    {
        var split = FoldSplit.Build(Catalog.Value, 1);
        var store = new CheckpointStore(Fixtures.TempDirectory());
        var straightFinal = Parameters(new OslsmFoldTraining(split, Config(15), store, CPU).Run(null, default));
        Assert.Equal(3, store.Files().Count);

        // The caller recorded progress up to iteration 5 only: 10 and 15 are discarded and trained again.
        var reports = new List<TrainingProgress>();
        var resumed = new OslsmFoldTraining(split, Config(15), store, CPU) { RecordedUpTo = 5 };
        var resumedFinal = Parameters(resumed.Run(new SyncProgress(reports.Add), default));
        Assert.Equal([10, 15], reports.Select(r => r.Iteration));
        Assert.Equal(straightFinal, resumedFinal);
    }

    [Fact]
    public void A_corrupt_checkpoint_is_detected_and_the_previous_one_used()
    {
        var split = FoldSplit.Build(Catalog.Value, 1);
        var store = new CheckpointStore(Fixtures.TempDirectory());
        new OslsmFoldTraining(split, Config(10), store, CPU).Run(null, default);
        var newest = store.PathFor(10);
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        var reports = new List<string>();
        Assert.Equal(store.PathFor(5), store.LatestGood(reports.Add));
        Assert.Contains(newest, Assert.Single(reports));
    }

    [Fact]
    public void Progress_is_reported_and_bad_configs_are_refused()
    {
        var split = FoldSplit.Build(Catalog.Value, 1);
        var reports = new List<TrainingProgress>();
        new OslsmFoldTraining(split, Config(10), new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(new SyncProgress(reports.Add), default);
        Assert.Equal([5, 10], reports.Select(r => r.Iteration));
        Assert.All(reports, r => Assert.True(r.IterationsPerSecond > 0 && double.IsFinite(r.Loss)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OslsmFoldTraining(split, Config(0), new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OslsmFoldTraining(split, Config(5) with { Fold = 4 }, new CheckpointStore(Fixtures.TempDirectory()), CPU).Run(null, default));
    }

    private static byte[] Parameters(string checkpoint, string preset = "tiny")
    {
        using var network = new OslsmNetwork(OslsmPreset.Named(preset) with { QuerySize = 64 }, seed: 0, CPU);
        CheckpointFile.LoadModel(checkpoint, network);
        return network.parameters().SelectMany(p => p.bytes.ToArray()).ToArray();
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
