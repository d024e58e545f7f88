using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// FCN-32s up to fc7 (VGG conv1..conv5, then fc6 and fc7 as convolutions, with dropout): OSLSM's segmentation
/// branch and the trunk of the baselines' base classifier. Field names follow torchvision, so weights load by name.
/// </summary>
public sealed class FcnTrunk : SegmentationTrunk
{
    private readonly Sequential features;
    private readonly Conv2d fc6;
    private readonly SeededDropout drop6;
    private readonly Conv2d fc7;
    private readonly SeededDropout drop7;

    /// <param name="dropout">Dropout's generator, on <paramref name="device"/>.</param>
    public FcnTrunk(OslsmPreset preset, Generator dropout, Device device) : base(nameof(FcnTrunk))
    {
        this.preset = preset;
        features = BackboneLayers.Features(preset, device, dilate: preset.Dilated, fullyConvolutional: true);
        (fc6, fc7) = FullyConnected(preset, device);
        drop6 = new SeededDropout(0.5, dropout);
        drop7 = new SeededDropout(0.5, dropout);
        RegisterComponents();
    }

    private readonly OslsmPreset preset;

    /// <summary>Fresh copies of fc6 and fc7 with their current weights, each followed by a ReLU (the fine-tuning baseline trains them per episode).</summary>
    public override Module<Tensor, Tensor> CopyHead()
    {
        var (copy6, copy7) = FullyConnected(preset, fc6.weight!.device);
        using (no_grad())
        {
            copy6.weight!.copy_(fc6.weight!);
            copy6.bias!.copy_(fc6.bias!);
            copy7.weight!.copy_(fc7.weight!);
            copy7.bias!.copy_(fc7.bias!);
        }
        return Sequential(("fc6", copy6), ("relu6", ReLU()), ("fc7", copy7), ("relu7", ReLU()));
    }

    /// <summary>
    /// fc6/fc7 as convolutions (FCN); the dilated variant dilates fc6 by 4 (Yu and Koltun's front end). fc6's padding
    /// is applied to its input (<see cref="Convolutional"/>), not by the convolution.
    /// </summary>
    private static (Conv2d Fc6, Conv2d Fc7) FullyConnected(OslsmPreset preset, Device device) =>
        (Conv2d(preset.FeatureChannels, preset.FullyConnected, preset.Fc6Kernel, dilation: Fc6Dilation(preset), device: device),
         Conv2d(preset.FullyConnected, preset.FullyConnected, 1, device: device));

    private static int Fc6Dilation(OslsmPreset preset) => preset.Dilated ? 4 : 1;

    /// <summary>
    /// fc6's padding before and after each side: its reach, dilation * (kernel - 1), split so the map keeps
    /// ceil(side/stride) cells, each where its pixels are. An even kernel cannot be centred, so its extra cell goes
    /// after (Caffe's FCN pads by 100 and crops by an offset instead); odd kernels pad evenly, as before.
    /// </summary>
    private static (int Before, int After) Fc6Padding(OslsmPreset preset)
    {
        var reach = Fc6Dilation(preset) * (preset.Fc6Kernel - 1);
        return (reach / 2, reach - reach / 2);
    }

    private readonly ChannelsLast layout = new();

    /// <summary>Switches the convolutions before fc6 to channels-last order for scoring (<see cref="ChannelsLast"/>).</summary>
    public override void UseChannelsLast() => layout.Apply(features);

    /// <summary>
    /// The convolutional features before fc6, padded for it (<see cref="Fc6Padding"/>), always in the default order:
    /// fc6 and fc7 (and the fine-tuning baseline's copies of them) take their input that way even when the features
    /// run channels-last.
    /// </summary>
    public override Tensor Convolutional(Tensor images)
    {
        using var scope = NewDisposeScope();
        var (before, after) = Fc6Padding(preset);
        return functional.pad(features.call(layout.Order(images)), [before, after, before, after]).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>fc7 features, [N, FullyConnected, ceil(H/stride), ceil(W/stride)].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = Convolutional(images);
        x = drop6.call(functional.relu(fc6.call(x)));
        x = drop7.call(functional.relu(fc7.call(x)));
        return x.MoveToOuterDisposeScope();
    }
}
