using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>
/// Trains OSLSM on one fold's D_train (paper section 4.3): episodes from the paper's sampler, prepared on a
/// background thread; with the same seed, a resumed run continues bit for bit on CPU.
/// </summary>
public sealed class OslsmFoldTraining(FoldSplit split, FoldTrainingConfig config, CheckpointStore store, Device device)
    : FoldTraining(split, config, store, device)
{
    public override string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var preset = Config.ResolvedPreset;
        using var network = CreateNetwork(preset, Config, Device);
        using var trainer = new OslsmTrainer(network, Config.Training);
        var (start, random) = Resume(network, trainer.Optimizer, "train-episodes");
        using var loader = new EpisodeLoader(new EpisodeSampler(Split.Train, 1, random), Split.Train.ToDictionary(i => i.Id),
            preset.QuerySize, preset.SupportSize);
        return Train(start, network, trainer.Optimizer, cancel =>
        {
            using var scope = NewDisposeScope();
            var items = Enumerable.Range(0, Config.Training.EpisodesPerStep).Select(_ => loader.Take(cancel)).ToList();
            var episodes = items.Select(item => (EpisodeTensors.ToDevice(item.Query, [3, preset.QuerySize, preset.QuerySize], Device),
                EpisodeTensors.ToDevice(item.Supports, [3, preset.SupportSize, preset.SupportSize], Device), item.Target)).ToList();
            return (trainer.Step(episodes), items[^1].SamplerStateAfter);
        }, progress, cancellationToken, Evaluator(network));
    }

    /// <summary>
    /// The evaluation during training the config asks for, or null: the same seeded 1-shot test episodes every time,
    /// scored in evaluation mode without touching the training's generators or the weights' memory order, so a
    /// run with evaluation trains exactly as one without.
    /// </summary>
    private TrainingLoop.Evaluate? Evaluator(OslsmNetwork network)
    {
        if (Config.Evaluation is not { } options) return null;
        var episodes = TrainingEvaluationEpisodes(Split, Config.Seed, options.Episodes);
        var images = Split.Test.ToDictionary(i => i.Id);
        var solver = new OslsmSolver(network, options.Threshold, channelsLast: false);
        return iteration =>
        {
            var accumulator = new IouAccumulator();
            foreach (var score in EpisodeEvaluator.Score(solver, episodes, images).Scores) accumulator.Add(score);
            return new TrainingEvaluation(iteration, episodes.Count, accumulator.MeanIou(Split.TestClasses));
        };
    }

    /// <summary>The episodes evaluation during training scores: 1-shot, on the fold's test images and classes, from their own seed.</summary>
    public static IReadOnlyList<Episode> TrainingEvaluationEpisodes(FoldSplit split, ulong seed, int count) =>
        new EpisodeSampler(split.Test, 1, SeededRandom.Derive(seed, $"training-evaluation-fold{split.Fold}")).Take(count);

    /// <summary>A network on the device, initialised from the seed (and ImageNet weights if configured).</summary>
    public static OslsmNetwork CreateNetwork(OslsmPreset preset, FoldTrainingConfig config, Device device)
    {
        var network = new OslsmNetwork(preset, config.Seed + (ulong)config.Fold, device);
        ModelWeights.Initialise(network, preset, config.ImageNetWeights, config.FromScratch);
        return network;
    }
}
