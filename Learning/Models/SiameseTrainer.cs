using SegCluster.Contracts;
using SegCluster.Learning.Data;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// Trains the Siamese network on pixel verification: for two images sharing a class, every pair of their cells is
/// labelled same (equal 16-way label) or different, void cells left out; the loss is class-balanced (same and
/// different pairs weigh one half each), times the number of pairs when the run uses summed losses.
/// </summary>
public sealed class SiameseTrainer : IDisposable
{
    private readonly SiameseNetwork network;
    private readonly TrainingOptions options;

    public OslsmOptimizer Optimizer { get; }

    public SiameseTrainer(SiameseNetwork network, TrainingOptions options)
    {
        this.network = network;
        this.options = options;
        Optimizer = new OslsmOptimizer(options.Optimizer, options.Momentum, (network.parameters(), options.LearningRate));
    }

    /// <summary>One step on two images [2,3,S,S] on the network's device and their masks; labels maps mask values to 16-way labels (255 void).</summary>
    public float Step(Tensor images, SegmentationMask first, SegmentationMask second, Func<byte, byte> labels)
    {
        using var scope = NewDisposeScope();
        network.train();
        Optimizer.ZeroGrad();
        var embeddings = network.call(images);                                          // [2, E, h, w]
        var (channels, side) = (embeddings.shape[1], embeddings.shape[2]);
        var cells = embeddings.permute(0, 2, 3, 1).reshape(2, side * side, channels);
        var logits = network.Similarity(cells[0], cells[1]);                            // [hw, hw]
        var a = Evaluation.Baselines.DenseEpisodeFeatures.CellLabels(first, (int)side, labels);
        var b = Evaluation.Baselines.DenseEpisodeFeatures.CellLabels(second, (int)side, labels);
        var same = new float[a.Length * b.Length];
        var weight = new float[same.Length];
        int positives = 0, negatives = 0;
        for (var i = 0; i < a.Length; i++)
            for (var j = 0; j < b.Length; j++)
                if (a[i] != PascalClasses.Void && b[j] != PascalClasses.Void)
                {
                    if (a[i] == b[j]) { same[i * b.Length + j] = 1; positives++; } else negatives++;
                }
        var pairs = positives + negatives;
        if (pairs == 0) return 0f;
        var scaleUp = options.Loss == LossReduction.Sum ? pairs : 1;
        for (var i = 0; i < a.Length; i++)
            for (var j = 0; j < b.Length; j++)
                if (a[i] != PascalClasses.Void && b[j] != PascalClasses.Void)
                    weight[i * b.Length + j] = scaleUp * 0.5f / (same[i * b.Length + j] == 1 ? Math.Max(positives, 1) : Math.Max(negatives, 1));
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, EpisodeTensors.ToDevice(same, logits.shape, network.Device),
            EpisodeTensors.ToDevice(weight, logits.shape, network.Device), reduction: nn.Reduction.Sum);
        loss.backward();
        Optimizer.Step();
        return loss.item<float>();
    }

    public void Dispose() => Optimizer.Dispose();
}
