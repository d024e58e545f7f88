using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Training;

/// <summary>
/// Trains OSLSM on one fold's D_train (paper section 4.3): resumes from the newest good checkpoint, checkpoints
/// every M iterations and at the end, reports progress every N. Runs synchronously on the calling thread
/// (TorchSharp dispose scopes are per thread); with the same seed, a resumed run continues bit for bit on CPU.
/// </summary>
public sealed class FoldTrainer(FoldSplit split, FoldTrainingConfig config, CheckpointStore store) : IFoldNetworkTrainer
{
    /// <summary>Called (on the training thread) after each checkpoint is written.</summary>
    public Action<CheckpointInfo>? CheckpointWritten { get; init; }

    /// <summary>Called when a corrupt checkpoint is skipped.</summary>
    public Action<string>? CorruptCheckpoint { get; init; }

    /// <summary>Trains to the configured iteration count; returns the final checkpoint's path.</summary>
    public string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        config.Validate();
        var preset = config.ResolvedPreset;
        using var network = CreateNetwork(preset, config);
        using var trainer = new OslsmTrainer(network, config.Training);

        var start = 0;
        var random = SeededRandom.Derive(config.Seed, $"train-episodes-fold{config.Fold}");
        if (store.LatestGood(CorruptCheckpoint) is { } latest)
        {
            var metadata = CheckpointFile.Load(latest, network, trainer.Optimizer);
            start = metadata.Iteration;
            random = SeededRandom.FromState(metadata.SamplerState);
        }
        if (start >= config.Iterations) return store.PathFor(start);

        var images = split.Train.ToDictionary(i => i.Id);
        using var loader = new EpisodeLoader(new EpisodeSampler(split.Train, 1, random), images, preset.QuerySize, preset.SupportSize);
        return TrainingLoop.Run(start, config.Iterations, config.ProgressEvery, config.CheckpointEvery, store,
            step: cancel =>
            {
                var item = loader.Take(cancel);
                using var scope = NewDisposeScope();
                var query = tensor(item.Query, [3, preset.QuerySize, preset.QuerySize]);
                var support = tensor(item.Supports, [3, preset.SupportSize, preset.SupportSize]);
                return (trainer.Step(query, support, item.Target), item.SamplerStateAfter);
            },
            save: (path, iteration, samplerState) => CheckpointFile.Save(path, network, trainer.Optimizer, iteration, samplerState, config.ToJson()),
            CheckpointWritten, progress, cancellationToken);
    }

    /// <summary>A network initialised from the seed (and ImageNet weights if configured).</summary>
    public static OslsmNetwork CreateNetwork(OslsmPreset preset, FoldTrainingConfig config)
    {
        var network = new OslsmNetwork(preset, config.Seed + (ulong)config.Fold);
        if (config.ImageNetWeights is not null) ModelWeights.LoadImageNet(network, config.ImageNetWeights);
        return network;
    }
}
