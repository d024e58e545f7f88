using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegCluster.Learning.Models;

/// <summary>
/// The paper's two-branch network (Figure 2). The conditioning branch g_eta maps each masked support image to
/// {w, b} (VGG up to fc8, then weight hashing to fc7-width + 1); the segmentation branch is FCN-32s up to fc7.
/// forward(query [1,3,H,W], supports [k,3,S,S]) gives one logit map per support, [k,H,W], at the query's size.
/// </summary>
public sealed class OslsmNetwork : Module<Tensor, Tensor, Tensor>, ISeededNetwork
{
    private readonly ConditioningBranch conditioning;
    private readonly FcnTrunk segmentation;

    private readonly Generator generator;

    public OslsmPreset Preset { get; }

    /// <summary>
    /// A network whose every random choice flows from <paramref name="seed"/>: the weight hashing, the initial
    /// weights (PyTorch's default distributions, drawn from the network's own generator) and dropout.
    /// </summary>
    public OslsmNetwork(OslsmPreset preset, ulong seed) : base(nameof(OslsmNetwork))
    {
        Preset = preset;
        generator = SeededInitialisation.Create(seed);
        conditioning = new ConditioningBranch(preset, seed, generator);
        segmentation = new FcnTrunk(preset, generator);
        RegisterComponents();
        SeededInitialisation.Apply(this, generator);
    }

    /// <summary>The generator's state (dropout masks to come), saved in checkpoints.</summary>
    public byte[] GeneratorState
    {
        get => SeededInitialisation.GetState(generator);
        set => SeededInitialisation.SetState(generator, value);
    }

    public IEnumerable<Parameter> ConditioningParameters => conditioning.parameters();
    public IEnumerable<Parameter> SegmentationParameters => segmentation.parameters();

    private bool channelsLast;

    /// <summary>
    /// Stores the convolution weights of both branches' VGG/AlexNet features in channels-last order (NHWC strides) and
    /// gives forward's images the same order, so that oneDNN convolves without converting each layer's activations to
    /// its blocked layout and back. fc6 and fc7 stay in the default order (see FcnTrunk.forward). Measured 2026-11-26
    /// on the 2-core EPYC, fp32 forward against the default order: vgg16-fcn32s 0.91x the time, tiny 0.56x; all
    /// convolutions channels-last gave vgg16-fcn32s only 0.98x. Values are unchanged. For scoring: TorchSharp saves
    /// only contiguous tensors, so a network that is still checkpointed keeps the default order. A conversion to
    /// bf16 afterwards keeps the order.
    /// </summary>
    public void UseChannelsLast()
    {
        if (channelsLast) return;
        using (no_grad())
            foreach (var convolution in conditioning.Features.modules().Concat(segmentation.Features.modules()).OfType<Conv2d>())
                convolution.weight!.set_(ChannelsLast(convolution.weight!));
        channelsLast = true;
    }

    /// <summary>The same values, laid out NHWC in memory (the logical shape stays [N, C, H, W]).</summary>
    private static Tensor ChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    public override Tensor forward(Tensor query, Tensor supports)
    {
        using var scope = NewDisposeScope();
        if (channelsLast) (query, supports) = (ChannelsLast(query), ChannelsLast(supports));
        var parameters = conditioning.call(supports);                       // [k, C+1]
        var features = segmentation.call(query);                            // [1, C, h, w]
        var channels = features.shape[1];
        var w = parameters.narrow(1, 0, channels).reshape(-1, channels, 1, 1);
        var b = parameters.select(1, channels);
        // One 1x1 convolution per support: the k classifiers share the query's features (computed once).
        var coarse = functional.conv2d(features, w, b).contiguous();        // [1, k, h, w], in the default order whatever the features
        var logits = functional.interpolate(coarse, [query.shape[2], query.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        return logits.squeeze(0).MoveToOuterDisposeScope();
    }

    private sealed class ConditioningBranch : Module<Tensor, Tensor>
    {
        private readonly Sequential features;

        public Sequential Features => features;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Sequential classifier;
        private readonly WeightHashing hashing;

        public ConditioningBranch(OslsmPreset preset, ulong hashSeed, Generator generator) : base(nameof(ConditioningBranch))
        {
            features = BackboneLayers.Features(preset);
            avgpool = AdaptiveAvgPool2d([preset.PooledSide, preset.PooledSide]);
            classifier = BackboneLayers.Classifier(preset, generator);
            hashing = new WeightHashing(preset.ClassifierOutputs, preset.FullyConnected + 1, hashSeed);
            RegisterComponents();
        }

        public override Tensor forward(Tensor supports)
        {
            using var scope = NewDisposeScope();
            var x = avgpool.call(features.call(supports)).flatten(1);
            return hashing.call(classifier.call(x)).MoveToOuterDisposeScope();
        }
    }
}
