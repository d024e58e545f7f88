using System.Diagnostics;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Training;

/// <summary>
/// Trains OSLSM on one fold's D_train (paper section 4.3): resumes from the newest good checkpoint, checkpoints
/// every M iterations and at the end, reports progress every N. Runs synchronously on the calling thread
/// (TorchSharp dispose scopes are per thread); with the same seed, a resumed run continues bit for bit on CPU.
/// </summary>
public sealed class FoldTrainer(FoldSplit split, FoldTrainingConfig config, CheckpointStore store)
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
        var clock = Stopwatch.StartNew();
        var lossSum = 0.0;
        var lossCount = 0;
        var lastPath = "";
        for (var iteration = start + 1; iteration <= config.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var item = loader.Take(cancellationToken);
            using (NewDisposeScope())
            {
                var query = tensor(item.Query, [3, preset.QuerySize, preset.QuerySize]);
                var support = tensor(item.Supports, [3, preset.SupportSize, preset.SupportSize]);
                lossSum += trainer.Step(query, support, item.Target);
                lossCount++;
            }
            if (iteration % config.ProgressEvery == 0 || iteration == config.Iterations)
            {
                var rate = (iteration - start) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                progress?.Report(new TrainingProgress(iteration, config.Iterations, lossSum / lossCount, rate,
                    TimeSpan.FromSeconds((config.Iterations - iteration) / Math.Max(rate, 1e-9))));
                lossSum = 0;
                lossCount = 0;
            }
            if (iteration % config.CheckpointEvery == 0 || iteration == config.Iterations)
            {
                lastPath = store.PathFor(iteration);
                Directory.CreateDirectory(store.Directory);
                var written = CheckpointFile.Save(lastPath, network, trainer.Optimizer, iteration, item.SamplerStateAfter, config.ToJson());
                store.Prune();
                CheckpointWritten?.Invoke(written);
            }
        }
        return lastPath;
    }

    /// <summary>A network initialised from the seed (and ImageNet weights if configured).</summary>
    public static OslsmNetwork CreateNetwork(OslsmPreset preset, FoldTrainingConfig config)
    {
        var network = new OslsmNetwork(preset, config.Seed + (ulong)config.Fold);
        if (config.ImageNetWeights is not null) ModelWeights.LoadImageNet(network, config.ImageNetWeights);
        return network;
    }
}
