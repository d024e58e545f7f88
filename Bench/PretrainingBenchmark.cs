using System.Diagnostics;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;

namespace SegCluster.Bench;

/// <summary>
/// Figure 3's study at this machine's scale: one fold's OSLSM trained from the served ImageNet ResNet18 and from
/// scratch under equal budgets (iterations, optimizer, data, seed), each scoring the same seeded 1-shot test episodes
/// every N iterations; LogReg on each start's base classifier, trained for equal iterations, is the constant reference
/// the paper draws. On generated data: these are not the paper's numbers.
/// </summary>
public static class PretrainingBenchmark
{
    public sealed record Settings(string Preset, int ImageSize, int Images, int Iterations, int EvaluateEvery, int Episodes, int BaseIterations, int Threads);

    public static Settings For(bool quick, int threads) => quick
        ? new(OslsmPreset.ResNet18Fcn32.Name, 64, 300, 20, 10, 10, 10, threads)
        : new(OslsmPreset.ResNet18Dilated8.Name, 64, 600, 120, 40, 40, 60, threads);

    /// <summary>One start's meanIoU curve, its LogReg reference on the same episodes, and the seconds its OSLSM training took.</summary>
    public sealed record Start(string Name, bool FromScratch, IReadOnlyList<TrainingEvaluation> Curve, double LogReg, double TrainingSeconds);

    public sealed record Result(Settings Settings, int Fold, string Data, string WeightsSha256, IReadOnlyList<Start> Starts);

    public static Result Run(Settings settings, Action<string> log)
    {
        set_num_threads(settings.Threads);
        var root = Directory.CreateTempSubdirectory("segcluster-pretraining-").FullName;
        try
        {
            var layout = SyntheticPascal.Generate(Path.Combine(root, "data"), new SyntheticPascal.Options(Images: settings.Images, Size: settings.ImageSize, Seed: 7));
            const int fold = 0;
            var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), fold);
            var episodes = OslsmFoldTraining.TrainingEvaluationEpisodes(split, 1, settings.Episodes);
            var images = split.Test.ToDictionary(i => i.Id);
            var starts = new List<Start>();
            foreach (var fromScratch in new[] { false, true })
            {
                var name = fromScratch ? "from scratch" : "ImageNet (served ResNet18)";
                var config = new FoldTrainingConfig(fold, settings.Preset, settings.ImageSize, settings.ImageSize, settings.Iterations,
                    CheckpointEvery: settings.Iterations, ProgressEvery: settings.EvaluateEvery, Seed: 1,
                    Training: TrainingOptions.TinyMeanLoss with { LearningRate = 1e-4 }, FromScratch: fromScratch,
                    Evaluation: new TrainingEvaluationOptions(settings.EvaluateEvery, settings.Episodes));
                var curve = new List<TrainingEvaluation>();
                var clock = Stopwatch.StartNew();
                new OslsmFoldTraining(split, config, new CheckpointStore(Path.Combine(root, $"oslsm-{fromScratch}")), CPU)
                {
                    Evaluated = point =>
                    {
                        curve.Add(point);
                        log($"pretraining: {name}, iteration {point.Iteration}: meanIoU {100 * point.MeanIou:0.0}");
                    },
                }.Run(null, default);
                var seconds = clock.Elapsed.TotalSeconds;
                var baseConfig = config with { Iterations = settings.BaseIterations, CheckpointEvery = settings.BaseIterations, Evaluation = null };
                var checkpoint = new BaseClassifierFoldTraining(split, baseConfig, new CheckpointStore(Path.Combine(root, $"base-{fromScratch}")), CPU).Run(null, default);
                using var network = new PixelClassifierNetwork(baseConfig.ResolvedPreset, 0, CPU);
                CheckpointFile.LoadModel(checkpoint, network);
                var accumulator = new IouAccumulator();
                foreach (var score in EpisodeEvaluator.Score(new LogisticRegressionSolver(network), episodes, images).Scores) accumulator.Add(score);
                starts.Add(new Start(name, fromScratch, curve, accumulator.MeanIou(split.TestClasses), seconds));
                log($"pretraining: {name}: LogReg {100 * starts[^1].LogReg:0.0}, OSLSM training {seconds:0} s");
            }
            return new Result(settings, fold, $"generated ({settings.Images} images of {settings.ImageSize} pixels, seed 7)", OnnxResNet.Sha256, starts);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
