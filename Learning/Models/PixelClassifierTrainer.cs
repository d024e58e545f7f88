using SegCluster.Contracts;
using SegCluster.Learning.Data;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// Trains the base classifier: pixel-wise softmax cross-entropy over 16 labels (void pixels ignored), one image
/// per step, with the same optimizer settings as the fold's OSLSM training (FCN's: summed loss, SGD lr 1e-10,
/// momentum 0.99, for VGG-16; the tiny preset's mean loss with Adam).
/// </summary>
public sealed class PixelClassifierTrainer : IDisposable
{
    private const long Ignore = 255;
    private readonly PixelClassifierNetwork network;
    private readonly TrainingOptions options;

    public OslsmOptimizer Optimizer { get; }

    public PixelClassifierTrainer(PixelClassifierNetwork network, TrainingOptions options)
    {
        this.network = network;
        this.options = options;
        Optimizer = new OslsmOptimizer(options.Optimizer, options.Momentum, (network.parameters(), options.LearningRate));
    }

    /// <summary>One step on an image [3,S,S] on the network's device and its labels (0..15, 255 void) per pixel; returns the loss before the update.</summary>
    public float Step(Tensor image, byte[] labels)
    {
        using var scope = NewDisposeScope();
        network.train();
        Optimizer.ZeroGrad();
        var logits = network.call(image.unsqueeze(0));                                  // [1, 16, S, S]
        var target = EpisodeTensors.ToDevice(labels.Select(l => (long)l).ToArray(), [1, image.shape[1], image.shape[2]], network.Device);
        var loss = nn.functional.cross_entropy(logits, target, ignore_index: Ignore, reduction: nn.Reduction.Sum);
        if (options.Loss == LossReduction.Mean)
        {
            var pixels = tensor((float)labels.Count(l => l != Ignore), device: network.Device);
            loss = loss.div(pixels.maximum(ones_like(pixels)));
        }
        loss.backward();
        Optimizer.Step();
        return loss.item<float>();
    }

    public void Dispose() => Optimizer.Dispose();
}
