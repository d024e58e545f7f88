using SegCluster.Contracts;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// SGD with momentum (PyTorch semantics) or Adam, with a learning rate and an L2 weight decay per parameter group
/// (the decay added to the gradient before the momentum, as PyTorch and Caffe do). Written here rather than taken from TorchSharp for two
/// reasons: its state lives in buffers created up front, so module save/load checkpoints it exactly in any process,
/// and every Scalar is held for as long as libtorch reads it (TorchSharp's optimizers pass implicit Scalars that
/// the GC can finalise mid-call in optimised builds, which corrupted training here).
/// </summary>
public sealed class OslsmOptimizer : nn.Module
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly ParameterGroup[] groups;
    private readonly Tensor[] first;   // momentum buffer (SGD) or first moment (Adam)
    private readonly Tensor[] second;  // second moment (Adam only)
    private readonly Tensor step;
    private readonly bool adam;
    // TorchSharp's add_/sub_ without an explicit alpha make an implicit Scalar 1: alpha is always passed.
    private readonly Scalar one, momentum, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon;

    public OslsmOptimizer(Optimizer kind, double momentum, params ParameterGroup[] groups) : base(nameof(OslsmOptimizer))
    {
        adam = kind == Optimizer.Adam;
        this.groups = groups;
        var all = this.groups.SelectMany(g => g.Parameters).ToArray();
        first = all.Select(p => zeros_like(p).detach()).ToArray();
        second = adam ? all.Select(p => zeros_like(p).detach()).ToArray() : [];
        step = zeros(1, dtype: float64, device: CPU);   // a host-side counter: reading it never waits for a GPU
        for (var i = 0; i < all.Length; i++)
        {
            register_buffer($"first.{i}", first[i]);
            if (adam) register_buffer($"second.{i}", second[i]);
        }
        register_buffer("step", step);
        one = 1.0.ToScalar();
        this.momentum = momentum.ToScalar();
        beta1 = Beta1.ToScalar();
        oneMinusBeta1 = (1 - Beta1).ToScalar();
        beta2 = Beta2.ToScalar();
        oneMinusBeta2 = (1 - Beta2).ToScalar();
        epsilon = Epsilon.ToScalar();
    }

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var p in groups.SelectMany(g => g.Parameters)) p.grad?.zero_();
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        step.add_(ones_like(step), alpha: one);
        var t = step.item<double>();
        var index = 0;
        foreach (var (parameters, learningRate, weightDecay) in groups)
        {
            using var decay = weightDecay.ToScalar();
            // Adam folds its bias corrections into the step size, as PyTorch does.
            var size = adam ? learningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t)) : learningRate;
            using var negativeSize = (-size).ToScalar();
            using var correctedEpsilon = (Epsilon * Math.Sqrt(1 - Math.Pow(Beta2, t))).ToScalar();
            foreach (var p in parameters)
            {
                var i = index++;
                if (p.grad is not { } grad) continue;
                if (weightDecay != 0) grad = grad.add(p, alpha: decay);
                if (adam)
                {
                    first[i].mul_(beta1).add_(grad, alpha: oneMinusBeta1);
                    second[i].mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
                    p.addcdiv_(first[i], second[i].sqrt().add_(correctedEpsilon, alpha: one), value: negativeSize);
                }
                else
                {
                    first[i].mul_(momentum).add_(grad, alpha: one);
                    p.add_(first[i], alpha: negativeSize);
                }
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var s in new[] { one, momentum, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon }) s.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Parameters trained at one learning rate and L2 weight decay.</summary>
public sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, double LearningRate, double WeightDecay = 0)
{
    public static implicit operator ParameterGroup((IEnumerable<Parameter> Parameters, double LearningRate) group) =>
        new([.. group.Parameters], group.LearningRate);
}
