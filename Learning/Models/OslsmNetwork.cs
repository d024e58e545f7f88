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
public sealed class OslsmNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly ConditioningBranch conditioning;
    private readonly SegmentationBranch segmentation;

    private readonly Generator generator;

    public OslsmPreset Preset { get; }

    /// <summary>
    /// A network whose every random choice flows from <paramref name="seed"/>: the weight hashing, the initial
    /// weights (PyTorch's default distributions, drawn from the network's own generator) and dropout.
    /// </summary>
    public OslsmNetwork(OslsmPreset preset, ulong seed) : base(nameof(OslsmNetwork))
    {
        Preset = preset;
        generator = new Generator(SeededRandom.Derive(seed, "torch-generator").NextUInt64() & long.MaxValue);
        conditioning = new ConditioningBranch(preset, seed, generator);
        segmentation = new SegmentationBranch(preset, generator);
        RegisterComponents();
        Initialise();
    }

    /// <summary>The generator's state (dropout masks to come), saved in checkpoints.</summary>
    public byte[] GeneratorState
    {
        get { using var state = generator.get_state(); return state.bytes.ToArray(); }
        set
        {
            using var state = generator.get_state();
            state.bytes = value;
            generator.set_state(state);
        }
    }

    public IEnumerable<Parameter> ConditioningParameters => conditioning.parameters();
    public IEnumerable<Parameter> SegmentationParameters => segmentation.parameters();

    /// <summary>
    /// PyTorch's default initialisation (weights and biases uniform in +-1/sqrt(fan_in), what kaiming_uniform with
    /// a = sqrt(5) gives), drawn in parameter order from the network's generator.
    /// </summary>
    private void Initialise()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var module in modules())
        {
            var weight = module switch { Conv2d c => c.weight, Linear l => l.weight, _ => null };
            if (weight is null) continue;
            var bias = module switch { Conv2d c => c.bias, Linear l => l.bias, _ => null };
            var fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            using var width = (2.0 / Math.Sqrt(fanIn)).ToScalar();
            using var offset = (-1.0 / Math.Sqrt(fanIn)).ToScalar();
            using var one = 1.0.ToScalar();   // explicit alpha: TorchSharp's default would be an implicit Scalar
            weight.copy_(rand(weight.shape, generator: generator).mul(width).add(offset, alpha: one));
            bias?.copy_(rand(bias.shape, generator: generator).mul(width).add(offset, alpha: one));
        }
    }

    public override Tensor forward(Tensor query, Tensor supports)
    {
        using var scope = NewDisposeScope();
        var parameters = conditioning.call(supports);                       // [k, C+1]
        var features = segmentation.call(query);                            // [1, C, h, w]
        var channels = features.shape[1];
        var w = parameters.narrow(1, 0, channels).reshape(-1, channels, 1, 1);
        var b = parameters.select(1, channels);
        // One 1x1 convolution per support: the k classifiers share the query's features (computed once).
        var coarse = functional.conv2d(features, w, b);                     // [1, k, h, w]
        var logits = functional.interpolate(coarse, [query.shape[2], query.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        return logits.squeeze(0).MoveToOuterDisposeScope();
    }

    private sealed class ConditioningBranch : Module<Tensor, Tensor>
    {
        private readonly Sequential features;
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

    private sealed class SegmentationBranch : Module<Tensor, Tensor>
    {
        private readonly Sequential features;
        private readonly Conv2d fc6;
        private readonly SeededDropout drop6;
        private readonly Conv2d fc7;
        private readonly SeededDropout drop7;

        public SegmentationBranch(OslsmPreset preset, Generator generator) : base(nameof(SegmentationBranch))
        {
            features = BackboneLayers.Features(preset, dilate: preset.Dilated);
            // fc6/fc7 as convolutions (FCN). Padding keeps a ceil(H/stride) map instead of Caffe's pad-100-and-crop;
            // the dilated variant dilates fc6 by 4 (Yu and Koltun's front end).
            var dilation = preset.Dilated ? 4 : 1;
            fc6 = Conv2d(preset.FeatureChannels, preset.FullyConnected, preset.Fc6Kernel, padding: dilation * (preset.Fc6Kernel / 2), dilation: dilation);
            drop6 = new SeededDropout(0.5, generator);
            fc7 = Conv2d(preset.FullyConnected, preset.FullyConnected, 1);
            drop7 = new SeededDropout(0.5, generator);
            RegisterComponents();
        }

        public override Tensor forward(Tensor query)
        {
            using var scope = NewDisposeScope();
            var x = features.call(query);
            x = drop6.call(functional.relu(fc6.call(x)));
            x = drop7.call(functional.relu(fc7.call(x)));
            return x.MoveToOuterDisposeScope();
        }
    }
}
