using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>
/// Trains the Siamese baseline's network on one fold's D_train: pairs of images sharing a training class, drawn
/// by the paper's sampler (a query and one support) from the seed; checkpointed and resumed like OSLSM.
/// </summary>
public sealed class SiameseFoldTraining(FoldSplit split, FoldTrainingConfig config, CheckpointStore store, Device device)
    : FoldTraining(split, config, store, device)
{
    public override string Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var preset = Config.ResolvedPreset;
        using var network = CreateNetwork(preset, Config, Device);
        using var trainer = new SiameseTrainer(network, Config.Training);
        var (start, random) = Resume(network, trainer.Optimizer, "siamese-pairs");
        var sampler = new EpisodeSampler(Split.Train, 1, random);
        var images = Split.Train.ToDictionary(i => i.Id);
        var labels = BaseClassifierFoldTraining.Labels(Split.TrainClasses);
        var size = preset.QuerySize;
        return Train(start, network, trainer.Optimizer, _ =>
        {
            var pair = sampler.Next();
            var (first, second) = (images[pair.QueryId], images[pair.SupportIds[0]]);
            var pixels = new float[2][];
            for (var i = 0; i < 2; i++)
                using (var rgb = ImageFiles.ReadRgb((i == 0 ? first : second).Record.ImagePath)) pixels[i] = EpisodeTensors.ImageArray(rgb, size);
            var (firstMask, secondMask) = (first.Record.ReadMask(), second.Record.ReadMask());
            using var scope = NewDisposeScope();
            var batch = EpisodeTensors.ToDevice(pixels[0].Concat(pixels[1]).ToArray(), [2, 3, size, size], Device);
            return (trainer.Step(batch, firstMask, secondMask, labels), random.State);
        }, progress, cancellationToken);
    }

    public static SiameseNetwork CreateNetwork(OslsmPreset preset, FoldTrainingConfig config, Device device)
    {
        var network = new SiameseNetwork(preset, config.Seed + (ulong)config.Fold, device);
        ModelWeights.Initialise(network, preset, config.ImageNetWeights, config.FromScratch);
        return network;
    }
}
