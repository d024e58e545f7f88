namespace SegCluster.Learning.Models;

/// <summary>
/// A network size. <c>vgg16-fcn32s</c> is the paper's (VGG-16 conditioning branch, FCN-32s segmentation branch,
/// 4096-d fc7); <c>tiny</c> keeps the same structure with small channel counts so the embedded default trains
/// in minutes on a CPU core.
/// </summary>
public sealed record OslsmPreset(
    string Name,
    int[][] Stages,            // conv output channels per VGG stage (each stage ends with 2x2 max-pooling)
    int FullyConnected,        // fc6/fc7 width (4096 in VGG-16): also the length of w
    int ClassifierOutputs,     // fc8 outputs of the conditioning branch (1000 ImageNet classes in VGG-16)
    int Fc6Kernel,             // fc6 as a convolution over the last pooled map (7 in VGG-16)
    int SupportSize,           // the conditioning branch's input side (224 in VGG-16)
    int QuerySize)             // the segmentation branch's default input side (500 in the paper)
{
    public static readonly OslsmPreset Vgg16Fcn32s = new("vgg16-fcn32s",
        [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], 4096, 1000, 7, 224, 500);

    public static readonly OslsmPreset Tiny = new("tiny",
        [[8], [16], [32], [32], [32]], 64, 100, 2, 64, 128);

    public static IReadOnlyList<OslsmPreset> All => [Vgg16Fcn32s, Tiny];

    public static OslsmPreset Named(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown preset '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));

    /// <summary>Channels of the last conv stage (512 in VGG-16).</summary>
    public int FeatureChannels => Stages[^1][^1];
}
