using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Evaluation;

/// <summary>
/// OSLSM at test time (sections 4 and 4.4): the k supports go through the conditioning branch as one batch,
/// the query through the segmentation branch once; each {w, b} gives a mask (sigmoid > threshold) and the k
/// masks are combined by logical OR, after bilinear upsampling to the query's own size (the paper), or the k logit
/// maps or the k classifiers are averaged before the threshold (<see cref="SupportCombination"/>). The network runs in the
/// type of its parameters (fp32, or bf16 for <see cref="InferencePrecision.BFloat16"/>); upsampling and the
/// threshold in fp32. The solver switches the network it is given to channels-last order
/// (<see cref="OslsmNetwork.UseChannelsLast"/>): same values, faster convolutions; such a network is not checkpointed again
/// (the baselines' solvers do the same with theirs).
/// </summary>
public sealed class OslsmSolver : IEpisodeSolver
{
    private readonly OslsmNetwork network;
    private readonly double threshold;
    private readonly SupportCombination combination;
    private readonly bool channelsLast;

    /// <param name="channelsLast">false for a network still training (evaluation during training): its weights keep the order checkpoints save.</param>
    public OslsmSolver(OslsmNetwork network, double threshold = 0.5, SupportCombination combination = SupportCombination.Or, bool channelsLast = true)
    {
        this.network = network;
        this.channelsLast = channelsLast;
        this.threshold = threshold;
        this.combination = combination;
    }

    public Method Method => combination switch
    {
        SupportCombination.MeanLogits => Method.OslsmMeanLogits,
        SupportCombination.MeanParameters => Method.OslsmMeanParameters,
        _ => Method.Oslsm,
    };

    public Device Device => network.Device;

    /// <summary>The network it scores with (in the type it runs in).</summary>
    public OslsmNetwork Network => network;

    public byte[] Predict(EpisodeInput episode)
    {
        if (channelsLast) network.UseChannelsLast();   // the scoring layout, switched once
        var preset = network.Preset;
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var type = network.parameters().First().dtype;
        var query = EpisodeTensors.ToDevice(EpisodeTensors.Image(episode.Query, preset.QuerySize).unsqueeze(0), network.Device).to(type);
        var supports = EpisodeTensors.ToDevice(stack(episode.Supports.Select(s => EpisodeTensors.Image(s.Image, preset.SupportSize, s.Mask, episode.ClassId))),
            network.Device).to(type);
        var logits = Logits(query, supports).to(ScalarType.Float32).unsqueeze(0);        // [1, k or 1, Q, Q]
        var full = nn.functional.interpolate(logits, [episode.Query.Height, episode.Query.Width],
            mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);      // [k, H, W]
        // sigmoid(x) > t  <=>  x > logit(t): the threshold test without computing the sigmoid.
        using var cut = Math.Log(threshold / (1 - threshold)).ToScalar();
        var mask = full.gt(cut).any(0).to_type(ScalarType.Byte).cpu();
        return mask.data<byte>().ToArray();
    }

    private Tensor Logits(Tensor query, Tensor supports) => combination switch
    {
        SupportCombination.MeanLogits => network.call(query, supports).mean([0], keepdim: true),
        SupportCombination.MeanParameters => network.Segment(query, network.Classifiers(supports).mean([0], keepdim: true)),
        _ => network.call(query, supports),
    };
}

/// <summary>How OSLSM turns k supports into one mask: OR of the k masks (the paper), or one mask of the averaged logits or classifiers.</summary>
public enum SupportCombination { Or, MeanLogits, MeanParameters }
