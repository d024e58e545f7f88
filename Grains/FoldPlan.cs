using SegCluster.Contracts;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;

namespace SegCluster.Grains;

/// <summary>How a run config becomes a fold's training config and its test episodes (all seeded by the run).</summary>
public static class FoldPlan
{
    public static FoldTrainingConfig Training(RunConfig config, int fold) => new(
        fold, config.Preset, config.QuerySize, config.SupportSize, config.Iterations, config.CheckpointEvery, config.ProgressEvery,
        config.Seed, new TrainingOptions(config.LearningRate, config.Momentum, config.ConditioningLearningRateMultiplier, SumLoss: !config.MeanLoss, config.Optimizer),
        config.ImageNetWeights);

    /// <summary>The networks a run's methods read, in training order: OSLSM always, the baselines' as needed.</summary>
    public static IReadOnlyList<string> Networks(RunConfig config) =>
        ["oslsm", .. new[] { "base-classifier", "siamese" }.Where(n => config.Methods.Any(m => SolverFactory.NetworkOf(m) == n))];

    /// <summary>The fold's phase while it trains a network (what status and dashboard show).</summary>
    public static string PhaseOf(string network) => network switch
    {
        "oslsm" => "training",
        "base-classifier" => "training-base",
        _ => $"training-{network}",
    };

    /// <summary>A network's trainer on the device: the OSLSM settings, with the baselines' own iteration counts.</summary>
    public static FoldNetworkTrainer Trainer(string network, RunConfig config, FoldSplit split, CheckpointStore store, Device device)
    {
        var training = Training(config, split.Fold);
        return network switch
        {
            "oslsm" => new FoldTrainer(split, training, store, device),
            "base-classifier" => new BaseClassifierTrainer(split, training with { Iterations = config.BaseIterations }, store, device),
            "siamese" => new SiameseTrainingRun(split, training with { Iterations = config.SiameseIterations }, store, device),
            _ => throw new ArgumentException($"unknown network '{network}'"),
        };
    }

    /// <summary>Batches a fold has scored at once across the cluster (each on a worker thread of some silo).</summary>
    public const int ParallelBatches = 4;

    /// <summary>
    /// The test episodes of a fold for k shots, split into batches; identical for every method. Sampled from the run's
    /// seed, or read from the run's episode lists when it names a folder of them.
    /// </summary>
    public static IReadOnlyList<EpisodeSpec[]> Batches(RunConfig config, FoldSplit split, int shots) =>
        Episodes(config, split, shots)
            .Select(e => new EpisodeSpec(e.QueryId, e.ClassId, [.. e.SupportIds]))
            .Chunk(config.BatchSize)
            .ToList();

    public static IReadOnlyList<Episode> Episodes(RunConfig config, FoldSplit split, int shots)
    {
        if (config.EpisodeLists is null)
            return new EpisodeSampler(split.Test, shots, SeededRandom.Derive(config.Seed, $"test-episodes-fold{split.Fold}-shots{shots}"))
                .Take(config.Episodes);
        var path = EpisodeListPath(config.EpisodeLists, split.Fold, shots);
        var episodes = Episode.Load(path);
        var test = split.Test.Select(i => i.Id).ToHashSet();
        foreach (var e in episodes)
        {
            if (e.Shots != shots) throw new DataFileException(path, $"episodes have {e.Shots} supports, expected {shots}");
            if (e.SupportIds.Prepend(e.QueryId).FirstOrDefault(id => !test.Contains(id)) is { } missing)
                throw new DataFileException(path, $"image '{missing}' is not a test image of fold {split.Fold}");
        }
        return episodes;
    }

    public static string EpisodeListPath(string folder, int fold, int shots) => Path.Combine(folder, $"fold{fold}-{shots}shot.txt");
    public static string FoldListPath(string folder, int fold) => Path.Combine(folder, $"fold{fold}.txt");

    /// <summary>Where a fold's network checkpoints: OSLSM's in the fold's folder, the baselines' networks in sub-folders.</summary>
    public static string CheckpointDirectory(string root, string runId, int fold, string network = "oslsm") =>
        network == "oslsm" ? Path.Combine(root, runId, $"fold{fold}") : Path.Combine(root, runId, $"fold{fold}", network);
}
