using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// The paper's two-branch network (Figure 2). The conditioning branch g_eta maps each masked support image to
/// {w, b} (VGG up to fc8, then weight hashing to fc7-width + 1); the segmentation branch is FCN-32s up to fc7
/// (<see cref="SegmentationTrunk"/>; a ResNet's last stage in the resnet18 presets).
/// forward(query [1,3,H,W], supports [k,3,S,S]) gives one logit map per support, [k,H,W], at the query's size.
/// </summary>
public sealed class OslsmNetwork : Module<Tensor, Tensor, Tensor>, ISeededNetwork
{
    private readonly ConditioningBranch conditioning;
    private readonly SegmentationTrunk segmentation;

    public OslsmPreset Preset { get; }

    /// <summary>The device its parameters live on; inputs are made there.</summary>
    public Device Device { get; }

    public NetworkGenerators Generators { get; }

    /// <summary>
    /// A network on <paramref name="device"/> whose every random choice flows from <paramref name="seed"/>: the weight
    /// hashing, the initial weights (PyTorch's default distributions, drawn from the network's own generator) and dropout.
    /// </summary>
    public OslsmNetwork(OslsmPreset preset, ulong seed, Device device) : base(nameof(OslsmNetwork))
    {
        Preset = preset;
        Device = device;
        Generators = new NetworkGenerators(seed, "torch-generator", device);
        conditioning = new ConditioningBranch(preset, seed, Generators.Dropout, device);
        segmentation = SegmentationTrunk.Create(preset, Generators.Dropout, device);
        RegisterComponents();
        SeededInitialisation.Apply(this, Generators.Initialisation);
    }

    public IEnumerable<(string Name, Parameter Parameter)> ConditioningParameters => conditioning.named_parameters();
    public IEnumerable<(string Name, Parameter Parameter)> SegmentationParameters => segmentation.named_parameters();

    /// <summary>
    /// Switches both branches' feature convolutions to channels-last order for scoring (<see cref="ChannelsLast"/>);
    /// a conversion to bf16 afterwards keeps the order.
    /// </summary>
    public void UseChannelsLast()
    {
        conditioning.UseChannelsLast();
        segmentation.UseChannelsLast();
    }

    public override Tensor forward(Tensor query, Tensor supports) => Segment(query, Classifiers(supports));

    /// <summary>The classifier {w, b} the conditioning branch gives each support, [k, C+1].</summary>
    public Tensor Classifiers(Tensor supports) => conditioning.call(supports);

    /// <summary>One logit map per classifier ([n, C+1]) at the query's size, [n, H, W].</summary>
    public Tensor Segment(Tensor query, Tensor parameters)
    {
        using var scope = NewDisposeScope();
        var features = segmentation.call(query);                            // [1, C, h, w]
        var channels = features.shape[1];
        var w = parameters.narrow(1, 0, channels).reshape(-1, channels, 1, 1);
        var b = parameters.select(1, channels);
        // One 1x1 convolution per support: the k classifiers share the query's features (computed once).
        var coarse = functional.conv2d(features, w, b);                     // [1, k, h, w]
        var logits = functional.interpolate(coarse, [query.shape[2], query.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        return logits.squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// g_eta: the masked support through a backbone, then VGG/AlexNet's classifier up to fc8 (1000 values) or, for a
    /// ResNet, nothing after its global pooling (512 values); weight hashing maps them to w (fc7's width, or the
    /// ResNet's 512 channels) and b.
    /// </summary>
    private sealed class ConditioningBranch : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> features;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Sequential? classifier;
        private readonly WeightHashing hashing;
        private readonly ChannelsLast layout = new();

        public ConditioningBranch(OslsmPreset preset, ulong hashSeed, Generator dropout, Device device) : base(nameof(ConditioningBranch))
        {
            var resnet = preset.Backbone == Backbone.ResNet;
            features = resnet ? new ResNetTrunk(preset.Blocks, dilated: false, device) : BackboneLayers.Features(preset, device);
            avgpool = AdaptiveAvgPool2d([preset.PooledSide, preset.PooledSide]);
            classifier = resnet ? null : BackboneLayers.Classifier(preset, dropout, device);
            hashing = new WeightHashing(preset.ClassifierOutputs, preset.FullyConnected + 1, hashSeed, device);
            RegisterComponents();
        }

        public void UseChannelsLast() => layout.Apply(features);

        public override Tensor forward(Tensor supports)
        {
            using var scope = NewDisposeScope();
            var x = avgpool.call(features.call(layout.Order(supports))).flatten(1);
            return hashing.call(classifier?.call(x) ?? x).MoveToOuterDisposeScope();
        }
    }
}
