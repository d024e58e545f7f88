using SegCluster.Learning.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>Training hyper-parameters (paper section 4.3 defaults: summed loss, lr 1e-10, momentum 0.99, eta multiplier 0.1).</summary>
public sealed record TrainingOptions(
    double LearningRate = 1e-10,
    double Momentum = 0.99,
    double ConditioningLearningRateMultiplier = 0.1,
    bool SumLoss = true,
    string Optimizer = "sgd")
{
    /// <summary>
    /// Mean-loss mode for the tiny preset, which trains from scratch (no ImageNet weights exist for it): Adam
    /// reaches a useful model within the demo's budget, where the paper's SGD needs far more iterations.
    /// </summary>
    public static TrainingOptions TinyMeanLoss => new(LearningRate: 1e-3, Momentum: 0.9, ConditioningLearningRateMultiplier: 1, SumLoss: false, Optimizer: "adam");
}

/// <summary>SGD on the pixel-wise logistic loss (void pixels ignored), one episode per step (batch 1).</summary>
public sealed class OslsmTrainer : IDisposable
{
    private readonly OslsmNetwork network;
    private readonly TrainingOptions options;
    private readonly OslsmOptimizer optimizer;

    /// <summary>The optimizer, for checkpoints (its momentum buffers are part of the training state).</summary>
    public OslsmOptimizer Optimizer => optimizer;

    public OslsmTrainer(OslsmNetwork network, TrainingOptions options)
    {
        this.network = network;
        this.options = options;
        optimizer = new OslsmOptimizer(options.Optimizer, options.Momentum,
            (network.SegmentationParameters, options.LearningRate),
            (network.ConditioningParameters, options.LearningRate * options.ConditioningLearningRateMultiplier));
    }

    /// <summary>One step on query and support on the network's device. <paramref name="target"/> holds 1 (class), 0 (background) or 255 (void) per query pixel.</summary>
    /// <returns>The loss before the update.</returns>
    public float Step(Tensor query, Tensor support, byte[] target)
    {
        using var scope = NewDisposeScope();
        network.train();
        optimizer.ZeroGrad();
        var logits = network.call(query.unsqueeze(0), support.unsqueeze(0)).squeeze(0);
        // Targets and weights as tensors, not scalar comparisons: implicit Scalars in a hot loop can be finalised
        // by the GC while libtorch still reads them.
        var weight = EpisodeTensors.ToDevice(target.Select(t => t == 255 ? 0f : 1f).ToArray(), logits.shape, network.Device);
        var labels = EpisodeTensors.ToDevice(target.Select(t => t == 1 ? 1f : 0f).ToArray(), logits.shape, network.Device);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, labels, weight, reduction: nn.Reduction.Sum);
        if (!options.SumLoss) { var pixels = weight.sum(); loss = loss.div(pixels.maximum(ones_like(pixels))); }
        loss.backward();
        optimizer.Step();
        return loss.item<float>();
    }

    public void Dispose() => optimizer.Dispose();
}
