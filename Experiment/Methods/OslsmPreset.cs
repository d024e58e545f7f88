namespace SegCluster.Experiment;

public enum Backbone { Vgg, AlexNet, ResNet }

/// <summary>
/// A network size. <c>vgg16-fcn32s</c> is the paper's (VGG-16 conditioning branch, FCN-32s segmentation branch,
/// 4096-d fc7); <c>vgg16-dilated8</c> the dilated FCN of section 7 (pool4/pool5 removed, conv5 dilated by 2 and fc6
/// by 4: stride 8); <c>alexnet</c> the pretraining study (Figure 3); <c>tiny</c> the VGG structure with small
/// channel counts, so the embedded default trains in minutes on a CPU core. <c>resnet18-fcn32</c> and
/// <c>resnet18-dilated8</c> put the served ImageNet ResNet18 (BasicBlocks [2, 2, 2, 3]) in both branches: the
/// segmentation branch is its last stage's 512-channel map (stride 32, or 8 with the last two stages dilated), the
/// conditioning branch pools the masked support's map to 512 values, hashed to w (512) and b.
/// </summary>
public sealed record OslsmPreset(
    string Name,
    Backbone Backbone,
    int[][] Stages,            // VGG: conv output channels per stage (each stage ends with 2x2 max-pooling)
    int FullyConnected,        // fc6/fc7 width (4096): also the length of w
    int ClassifierOutputs,     // fc8 outputs of the conditioning branch (1000 ImageNet classes)
    int Fc6Kernel,             // fc6 as a convolution over the last pooled map (7 for VGG-16, 6 for AlexNet)
    int SupportSize,           // the conditioning branch's input side (224)
    int QuerySize,             // the segmentation branch's default input side (500 in the paper)
    bool Dilated = false)
{
    /// <summary>ResNet: BasicBlocks per stage (the served ResNet18's [2, 2, 2, 3]; a torchvision .pth gives its own).</summary>
    public int[] Blocks { get; init; } = [];

    public static readonly OslsmPreset Vgg16Fcn32s = new("vgg16-fcn32s", Backbone.Vgg,
        [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], 4096, 1000, 7, 224, 500);

    public static readonly OslsmPreset Vgg16Dilated8 = Vgg16Fcn32s with { Name = "vgg16-dilated8", Dilated = true };

    public static readonly OslsmPreset AlexNet = new("alexnet", Backbone.AlexNet, [], 4096, 1000, 6, 224, 500);

    public static readonly OslsmPreset Tiny = new("tiny", Backbone.Vgg,
        [[8], [16], [32], [32], [32]], 64, 100, 2, 64, 128, Dilated: true);

    public static readonly OslsmPreset ResNet18Fcn32 = new("resnet18-fcn32", Backbone.ResNet, [], 512, 512, 1, 224, 500) { Blocks = [2, 2, 2, 3] };

    public static readonly OslsmPreset ResNet18Dilated8 = ResNet18Fcn32 with { Name = "resnet18-dilated8", Dilated = true };

    public static IReadOnlyList<OslsmPreset> All => [Vgg16Fcn32s, Vgg16Dilated8, AlexNet, Tiny, ResNet18Fcn32, ResNet18Dilated8];

    public static OslsmPreset Named(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown preset '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));

    /// <summary>Channels of the last conv layer (512 in VGG-16, 256 in AlexNet).</summary>
    public int FeatureChannels => Backbone switch { Backbone.AlexNet => 256, Backbone.ResNet => 512, _ => Stages[^1][^1] };

    /// <summary>Whether ImageNet weights are served with the build (the ResNet18 package), so a run starts from them without --weights.</summary>
    public bool HasServedWeights => Backbone == Backbone.ResNet;

    /// <summary>Side of the pooled map the classifier's first layer reads (7 for VGG-16 at 224, 6 for AlexNet; 1 for ResNet's global pooling).</summary>
    public int PooledSide => Fc6Kernel;

    /// <summary>Output stride of the segmentation branch.</summary>
    public int Stride => Dilated ? 8 : 32;
}
