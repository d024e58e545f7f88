using SegCluster.Contracts;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// The logistic-regression baseline (paper section 6): a linear foreground classifier trained on the support
/// cells' fc7 features (L2-normalised per cell, so one step size suits every preset), by full-batch gradient
/// descent on the class-balanced logistic loss with L2 regularisation, from zero; applied to the query's cells.
/// Balanced, because objects cover a small share of the support: unweighted, the bias alone wins. With unit rows
/// the loss's gradient is 1/4-Lipschitz, so the default step of 4 is the largest stable one.
/// </summary>
public sealed class LogisticRegressionSolver(PixelClassifierNetwork network, int iterations = 200, double learningRate = 4.0, double l2 = 1e-4)
    : IEpisodeSolver
{
    public Method Method => Method.LogisticRegression;

    public Device Device => network.Device;

    public byte[] Predict(EpisodeInput episode)
    {
        network.UseChannelsLast();   // the scoring layout, switched once
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dense = DenseEpisodeFeatures.Extract(network, episode);
        if (dense.SupportLabels.shape[0] == 0) return new byte[episode.Query.Width * episode.Query.Height];
        var (w, b) = Fit(Normalise(dense.Supports), dense.SupportLabels, iterations, learningRate, l2);
        using var one = 1.0.ToScalar();   // explicit alpha (see Fit)
        var probability = sigmoid(Normalise(dense.Query).matmul(w).add(b, one));
        return dense.ToQueryMask(probability, episode.Query.Width, episode.Query.Height);
    }

    /// <summary>Rows scaled to unit length (zero rows stay zero).</summary>
    public static Tensor Normalise(Tensor rows)
    {
        using var tiny = 1e-12.ToScalar();
        return rows.div(rows.norm(1, keepdim: true).clamp_min(tiny));
    }

    /// <summary>
    /// Weights [C] and bias [1] minimising the balanced BCE (foreground and background rows each weigh one half in
    /// total) + l2/2 |w|^2, by <paramref name="iterations"/> full-batch gradient steps from zero.
    /// </summary>
    public static (Tensor W, Tensor B) Fit(Tensor x, Tensor y, int iterations, double learningRate, double l2)
    {
        using var scope = NewDisposeScope();
        using var rate = learningRate.ToScalar();
        using var decay = l2.ToScalar();
        // Explicit alpha everywhere: TorchSharp's default is an implicit Scalar the GC may finalise mid-call.
        using var one = 1.0.ToScalar();
        using var half = 0.5.ToScalar();
        var positives = y.sum().clamp_min(one);
        var negatives = y.neg().add(one, one).sum().clamp_min(one);
        var weights = y.mul(half).div(positives).add(y.neg().add(one, one).mul(half).div(negatives), one);   // [n]
        var w = zeros(x.shape[1], device: x.device);
        var b = zeros(1, device: x.device);
        var xt = x.t();
        for (var i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            var error = sigmoid(x.matmul(w).add(b, one)).sub(y).mul(weights);    // [n]
            var gradW = xt.matmul(error).add(w.mul(decay), one);
            var gradB = error.sum([0]);
            w = w.sub(gradW.mul(rate)).MoveToOuterDisposeScope();
            b = b.sub(gradB.mul(rate)).MoveToOuterDisposeScope();
        }
        return (w.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope());
    }
}
