using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>
/// Fine-tunes the baselines' base classifier on one fold's D_train (paper section 6): 16-way pixel labels (the
/// fold's 15 training classes in order, test-class pixels and background 0, void ignored), images drawn uniformly
/// from the seed. Trained once per fold, checkpointed and resumed like OSLSM.
/// </summary>
public sealed class BaseClassifierFoldTraining(FoldSplit split, FoldTrainingConfig config, CheckpointStore store, Device device)
    : FoldTraining(split, config, store, device)
{
    public override string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        if (Split.Train.Count == 0) throw new ArgumentException($"fold {Split.Fold}: D_train has no images");
        var preset = Config.ResolvedPreset;
        using var network = CreateNetwork(preset, Config, Device);
        using var trainer = new PixelClassifierTrainer(network, Config.Training);
        var (start, random) = Resume(network, trainer.Optimizer, "base-classifier-images");
        var labels = Labels(Split.TrainClasses);
        var size = preset.QuerySize;
        return Train(start, network, trainer.Optimizer, _ =>
        {
            var image = Split.Train[random.Next(Split.Train.Count)];
            float[] pixels;
            using (var rgb = ImageFiles.ReadRgb(image.Record.ImagePath)) pixels = EpisodeTensors.ImageArray(rgb, size);
            var target = EpisodeTensors.Resized(image.Record.ReadMask(), size, labels);
            using var scope = NewDisposeScope();
            return (trainer.Step(EpisodeTensors.ToDevice(pixels, [3, size, size], Device), target), random.State);
        }, progress, cancellationToken);
    }

    /// <summary>Mask value to base-classifier label: training class i of the fold to i+1, void kept, the rest 0.</summary>
    public static Func<byte, byte> Labels(IReadOnlyList<int> trainClasses)
    {
        var map = new byte[256];
        for (var i = 0; i < trainClasses.Count; i++) map[trainClasses[i]] = (byte)(i + 1);
        map[PascalClasses.Void] = PascalClasses.Void;
        return v => map[v];
    }

    public static PixelClassifierNetwork CreateNetwork(OslsmPreset preset, FoldTrainingConfig config, Device device)
    {
        var network = new PixelClassifierNetwork(preset, config.Seed + (ulong)config.Fold, device);
        ModelWeights.Initialise(network, preset, config.ImageNetWeights, config.FromScratch);
        return network;
    }
}
