using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegCluster.Learning.Models;

/// <summary>
/// FCN-32s up to fc7 (VGG conv1..conv5, then fc6 and fc7 as convolutions, with dropout): OSLSM's segmentation
/// branch and the trunk of the baselines' base classifier. Field names follow torchvision, so weights load by name.
/// </summary>
public sealed class FcnTrunk : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Conv2d fc6;
    private readonly SeededDropout drop6;
    private readonly Conv2d fc7;
    private readonly SeededDropout drop7;

    public FcnTrunk(OslsmPreset preset, Generator generator) : base(nameof(FcnTrunk))
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

    /// <summary>fc7 features, [N, FullyConnected, ceil(H/stride), ceil(W/stride)].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = features.call(images);
        x = drop6.call(functional.relu(fc6.call(x)));
        x = drop7.call(functional.relu(fc7.call(x)));
        return x.MoveToOuterDisposeScope();
    }
}
