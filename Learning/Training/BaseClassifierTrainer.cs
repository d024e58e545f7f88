using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Training;

/// <summary>
/// Fine-tunes the baselines' base classifier on one fold's D_train (paper section 6): 16-way pixel labels (the
/// fold's 15 training classes in order, test-class pixels and background 0, void ignored), images drawn uniformly
/// from the seed. Trained once per fold, checkpointed and resumed like OSLSM.
/// </summary>
public sealed class BaseClassifierTrainer(FoldSplit split, FoldTrainingConfig config, CheckpointStore store) : IFoldNetworkTrainer
{
    public Action<CheckpointInfo>? CheckpointWritten { get; init; }
    public Action<string>? CorruptCheckpoint { get; init; }

    /// <summary>Trains to the configured iteration count; returns the final checkpoint's path.</summary>
    public string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        config.Validate();
        if (split.Train.Count == 0) throw new ArgumentException($"fold {split.Fold}: D_train has no images");
        var preset = config.ResolvedPreset;
        using var network = CreateNetwork(preset, config);
        using var trainer = new PixelClassifierTrainer(network, config.Training);

        var start = 0;
        var random = SeededRandom.Derive(config.Seed, $"base-classifier-images-fold{config.Fold}");
        if (store.LatestGood(CorruptCheckpoint) is { } latest)
        {
            var metadata = CheckpointFile.Load(latest, network, trainer.Optimizer);
            start = metadata.Iteration;
            random = SeededRandom.FromState(metadata.SamplerState);
        }
        if (start >= config.Iterations) return store.PathFor(start);

        var labels = Labels(split.TrainClasses);
        var size = preset.QuerySize;
        return TrainingLoop.Run(start, config.Iterations, config.ProgressEvery, config.CheckpointEvery, store,
            step: _ =>
            {
                var image = split.Train[random.Next(split.Train.Count)];
                float[] pixels;
                using (var rgb = ImageFiles.ReadRgb(image.Record.ImagePath)) pixels = EpisodeTensors.ImageArray(rgb, size);
                var target = EpisodeTensors.Resized(image.Record.ReadMask(), size, labels);
                using var scope = NewDisposeScope();
                return (trainer.Step(tensor(pixels, [3, size, size]), target), random.State);
            },
            save: (path, iteration, samplerState) => CheckpointFile.Save(path, network, trainer.Optimizer, iteration, samplerState, config.ToJson()),
            CheckpointWritten, progress, cancellationToken);
    }

    /// <summary>Mask value to base-classifier label: training class i of the fold to i+1, void kept, the rest 0.</summary>
    public static Func<byte, byte> Labels(IReadOnlyList<int> trainClasses)
    {
        var map = new byte[256];
        for (var i = 0; i < trainClasses.Count; i++) map[trainClasses[i]] = (byte)(i + 1);
        map[PascalClasses.Void] = PascalClasses.Void;
        return v => map[v];
    }

    public static PixelClassifierNetwork CreateNetwork(OslsmPreset preset, FoldTrainingConfig config)
    {
        var network = new PixelClassifierNetwork(preset, config.Seed + (ulong)config.Fold);
        if (config.ImageNetWeights is not null) ModelWeights.LoadImageNet(network, config.ImageNetWeights);
        return network;
    }
}
