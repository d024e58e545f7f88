using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Evaluation.Baselines;

/// <summary>
/// The fine-tuning baseline (paper section 6): per episode, copies of the base network's fc6 and fc7 and a new
/// binary fc8 are trained on the support set (the conv layers stay frozen, their features computed once), with
/// fc7's output normalised by batch normalisation as the paper found it converges faster; then the query is
/// predicted with fc7 normalised by the support's statistics (a few steps of running averages would leave them far
/// from the data's). fc8 starts at zero, so every episode starts from the same point and the result needs no random
/// numbers. Adam, <paramref name="iterations"/> full-batch steps at <paramref name="learningRate"/>.
/// </summary>
public sealed class FineTuningSolver(PixelClassifierNetwork network, int iterations, double learningRate) : IEpisodeSolver
{
    public Method Method => Method.FineTuning;

    public Device Device => network.Device;

    public byte[] Predict(EpisodeInput episode)
    {
        network.UseChannelsLast();   // the scoring layout, switched once
        var size = network.Preset.QuerySize;
        network.eval();
        using var scope = NewDisposeScope();
        Tensor supportFeatures, queryFeatures;
        using (no_grad())
        {
            var images = DenseEpisodeFeatures.Images(episode, size, network.Device);
            var convolutional = network.Trunk.Convolutional(images);
            queryFeatures = convolutional.narrow(0, 0, 1);
            supportFeatures = convolutional.narrow(0, 1, episode.Supports.Count);
        }
        var targets = EpisodeTensors.ToDevice(episode.Supports.SelectMany(s => EpisodeTensors.Binary(s.Mask, episode.ClassId, size).Select(v => (float)v)).ToArray(),
            [episode.Supports.Count, size, size], network.Device);
        using var head = new EpisodeHead(network.Trunk, network.Preset.FullyConnected, network.Device);
        using var voidLabel = ((double)PascalClasses.Void).ToScalar();
        using var classLabel = 1.0.ToScalar();
        var mask = targets.ne(voidLabel).to_type(ScalarType.Float32);
        var labels = targets.eq(classLabel).to_type(ScalarType.Float32);
        using var optimizer = new OslsmOptimizer(Optimizer.Adam, 0.9, (head.parameters(), learningRate));
        head.train();
        for (var i = 0; i < iterations; i++)
        {
            using var step = NewDisposeScope();
            optimizer.ZeroGrad();
            var logits = head.call(supportFeatures, size);                                      // [k, S, S]
            var pixels = mask.sum();
            var loss = functional.binary_cross_entropy_with_logits(logits, labels, mask, reduction: Reduction.Sum).div(pixels.maximum(ones_like(pixels)));
            loss.backward();
            optimizer.Step();
        }
        head.eval();
        using (no_grad())
        {
            head.NormaliseLike(supportFeatures);
            var query = head.call(queryFeatures, size).unsqueeze(0);                           // [1, 1, S, S]
            var full = functional.interpolate(query, [episode.Query.Height, episode.Query.Width], mode: InterpolationMode.Bilinear, align_corners: false);
            using var zero = 0.0.ToScalar();
            return full.gt(zero).to_type(ScalarType.Byte).cpu().data<byte>().ToArray();
        }
    }

    /// <summary>The trunk's head copied from the base network (fc6 and fc7; a ResNet's last stage), batch norm on its output, a zero-initialised binary fc8.</summary>
    internal sealed class EpisodeHead : Module<Tensor, long, Tensor>
    {
        private const double Momentum = 0.1, Epsilon = 1e-5;
        private readonly Module<Tensor, Tensor> trunkHead;
        private readonly Parameter scale;
        private readonly Parameter shift;
        private readonly Tensor runningMean;
        private readonly Tensor runningVariance;
        private readonly Conv2d fc8;

        public EpisodeHead(SegmentationTrunk trunk, long channels, Device device) : base(nameof(EpisodeHead))
        {
            trunkHead = trunk.CopyHead();
            // Batch norm through the functional call with buffers of our own: TorchSharp's BatchNorm2d counts batches
            // with an implicit Scalar that the GC can finalise mid-call (seen failing demo folds).
            scale = new Parameter(ones(channels, device: device));
            shift = new Parameter(zeros(channels, device: device));
            runningMean = zeros(channels, device: device);
            runningVariance = ones(channels, device: device);
            register_buffer("running_mean", runningMean);
            register_buffer("running_var", runningVariance);
            fc8 = Conv2d(channels, 1, 1, device: device);
            using (no_grad())
            {
                fc8.weight!.zero_();
                fc8.bias!.zero_();
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor convolutional, long size)
        {
            using var scope = NewDisposeScope();
            var coarse = fc8.call(Normalised(convolutional));
            return functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1).MoveToOuterDisposeScope();
        }

        /// <summary>fc7's output after batch norm: the batch's statistics in training, the stored ones in evaluation.</summary>
        internal Tensor Normalised(Tensor convolutional) =>
            functional.batch_norm(HeadFeatures(convolutional), runningMean, runningVariance, scale, shift, training, Momentum, Epsilon);

        /// <summary>Stores the per-channel mean and (biased) variance of fc7's output on these features, for evaluation.</summary>
        internal void NormaliseLike(Tensor convolutional)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var features = HeadFeatures(convolutional);
            runningMean.copy_(features.mean([0, 2, 3]));
            runningVariance.copy_(features.var([0, 2, 3], unbiased: false));
        }

        private Tensor HeadFeatures(Tensor convolutional) => trunkHead.call(convolutional);
    }
}
