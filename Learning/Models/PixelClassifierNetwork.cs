using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// The baselines' base network (paper section 6): FCN-32s fine-tuned per fold for pixel classification over the
/// fold's 15 training classes plus background. The 1-NN and logistic-regression baselines read its dense fc7
/// features; forward gives the 16-way logits at the input's size, for training.
/// </summary>
public sealed class PixelClassifierNetwork : Module<Tensor, Tensor>, ISeededNetwork
{
    /// <summary>15 training classes of a fold plus background.</summary>
    public const int Classes = 16;

    private readonly SegmentationTrunk segmentation;
    private readonly Conv2d score;
    public OslsmPreset Preset { get; }

    /// <summary>The device its parameters live on; inputs are made there.</summary>
    public Device Device { get; }

    public NetworkGenerators Generators { get; }

    public PixelClassifierNetwork(OslsmPreset preset, ulong seed, Device device) : base(nameof(PixelClassifierNetwork))
    {
        Preset = preset;
        Device = device;
        Generators = new NetworkGenerators(seed, "base-classifier", device);
        segmentation = SegmentationTrunk.Create(preset, Generators.Dropout, device);
        score = Conv2d(preset.FullyConnected, Classes, 1, device: device);
        RegisterComponents();
        SeededInitialisation.Apply(this, Generators.Initialisation);
    }

    /// <summary>Dense fc7 features, [N, FullyConnected, h, w] at the trunk's stride.</summary>
    public Tensor Features(Tensor images) => segmentation.call(images);

    /// <summary>Switches the trunk's feature convolutions to channels-last order for scoring (<see cref="ChannelsLast"/>).</summary>
    public void UseChannelsLast() => segmentation.UseChannelsLast();

    /// <summary>The trunk, for the fine-tuning baseline (frozen conv layers, per-episode copies of fc6 and fc7).</summary>
    public SegmentationTrunk Trunk => segmentation;

    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var coarse = score.call(segmentation.call(images));
        return functional.interpolate(coarse, [images.shape[2], images.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false)
            .MoveToOuterDisposeScope();
    }
}
