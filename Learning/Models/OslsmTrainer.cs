using SegCluster.Contracts;
using SegCluster.Learning.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// Training hyper-parameters (paper section 4.3 defaults: summed loss, lr 1e-10, momentum 0.99, eta multiplier 0.1,
/// one episode per update). The authors' Caffe solver adds what the paper does not say: gradients averaged over
/// <paramref name="EpisodesPerStep"/> episodes (iter_size 10), L2 weight decay on weights only (5e-4) and biases at
/// twice their branch's rate (<paramref name="BiasLearningRateMultiplier"/> 2).
/// </summary>
public sealed record TrainingOptions(
    double LearningRate = 1e-10,
    double Momentum = 0.99,
    double ConditioningLearningRateMultiplier = 0.1,
    LossReduction Loss = LossReduction.Sum,
    Optimizer Optimizer = Optimizer.Sgd,
    int EpisodesPerStep = 1,
    double WeightDecay = 0,
    double BiasLearningRateMultiplier = 1)
{
    /// <summary>
    /// Mean-loss mode for the tiny preset, which trains from scratch (no ImageNet weights exist for it): Adam
    /// reaches a useful model within the demo's budget, where the paper's SGD needs far more iterations.
    /// </summary>
    public static TrainingOptions TinyMeanLoss => new(LearningRate: 1e-3, Momentum: 0.9, ConditioningLearningRateMultiplier: 1, Loss: LossReduction.Mean, Optimizer: Optimizer.Adam);
}

/// <summary>SGD on the pixel-wise logistic loss (void pixels ignored), its gradient averaged over the step's episodes.</summary>
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
        optimizer = new OslsmOptimizer(options.Optimizer, options.Momentum, [
            .. Groups(network.SegmentationParameters, options.LearningRate, options),
            .. Groups(network.ConditioningParameters, options.LearningRate * options.ConditioningLearningRateMultiplier, options)]);
    }

    /// <summary>One group per parameter, in the branch's order (the optimizer's buffers follow it): biases at the bias multiplier, without decay.</summary>
    private static IEnumerable<ParameterGroup> Groups(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, TrainingOptions options) =>
        parameters.Select(p => p.Name.EndsWith("bias", StringComparison.Ordinal)
            ? new ParameterGroup([p.Parameter], learningRate * options.BiasLearningRateMultiplier)
            : new ParameterGroup([p.Parameter], learningRate, options.WeightDecay));

    /// <summary>One update on one episode (query and support on the network's device).</summary>
    /// <returns>The loss before the update.</returns>
    public float Step(Tensor query, Tensor support, byte[] target) => Step([(query, support, target)]);

    /// <summary>
    /// One update from the averaged gradients of the episodes (Caffe's iter_size). Each target holds 1 (class),
    /// 0 (background) or 255 (void) per query pixel.
    /// </summary>
    /// <returns>The mean loss of the episodes before the update.</returns>
    public float Step(IReadOnlyList<(Tensor Query, Tensor Support, byte[] Target)> episodes)
    {
        using var scope = NewDisposeScope();
        network.train();
        optimizer.ZeroGrad();
        using var share = (1.0 / episodes.Count).ToScalar();
        var total = 0.0;
        foreach (var (query, support, target) in episodes)
        {
            using var episode = NewDisposeScope();
            var logits = network.call(query.unsqueeze(0), support.unsqueeze(0)).squeeze(0);
            // Targets and weights as tensors, not scalar comparisons: implicit Scalars in a hot loop can be finalised
            // by the GC while libtorch still reads them.
            var weight = EpisodeTensors.ToDevice(target.Select(t => t == 255 ? 0f : 1f).ToArray(), logits.shape, network.Device);
            var labels = EpisodeTensors.ToDevice(target.Select(t => t == 1 ? 1f : 0f).ToArray(), logits.shape, network.Device);
            var loss = nn.functional.binary_cross_entropy_with_logits(logits, labels, weight, reduction: nn.Reduction.Sum);
            if (options.Loss == LossReduction.Mean) { var pixels = weight.sum(); loss = loss.div(pixels.maximum(ones_like(pixels))); }
            loss.mul(share).backward();
            total += loss.item<float>();
        }
        optimizer.Step();
        return (float)(total / episodes.Count);
    }

    public void Dispose() => optimizer.Dispose();
}
