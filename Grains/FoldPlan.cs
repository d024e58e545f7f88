using SegCluster.Contracts;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;

namespace SegCluster.Grains;

/// <summary>How a run config becomes a fold's training config and its test episodes (all seeded by the run).</summary>
public static class FoldPlan
{
    public static FoldTrainingConfig Training(RunConfig config, int fold) => new(
        fold, config.Preset, config.QuerySize, config.SupportSize, config.Iterations, config.CheckpointEvery, config.ProgressEvery,
        config.Seed, new TrainingOptions(config.LearningRate, config.Momentum, config.ConditioningLearningRateMultiplier, SumLoss: !config.MeanLoss, config.Optimizer),
        config.ImageNetWeights);

    /// <summary>The N test episodes of a fold for k shots, split into batches; identical for every method.</summary>
    public static IReadOnlyList<EpisodeSpec[]> Batches(RunConfig config, FoldSplit split, int shots)
    {
        var sampler = new EpisodeSampler(split.Test, shots, SeededRandom.Derive(config.Seed, $"test-episodes-fold{split.Fold}-shots{shots}"));
        return sampler.Take(config.Episodes)
            .Select(e => new EpisodeSpec(e.QueryId, e.ClassId, [.. e.SupportIds]))
            .Chunk(config.BatchSize)
            .ToList();
    }

    public static string CheckpointDirectory(string root, string runId, int fold) => Path.Combine(root, runId, $"fold{fold}");
}
