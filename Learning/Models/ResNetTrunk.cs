using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegCluster.Learning.Models;

/// <summary>
/// A ResNet of BasicBlocks up to its last stage (no pooling head), with torchvision's names (<c>conv1</c>, <c>bn1</c>,
/// <c>layer1.0.conv1</c>, ..., <c>layerN.0.downsample.{0,1}</c>) so a torchvision resnet18/34 state dict loads by name.
/// Its output is the last stage's map: stride 32, or stride 8 with the last two stages dilated (2 and 4) instead of
/// strided, as later few-shot codebases do.
/// </summary>
public sealed class ResNetTrunk : Module<Tensor, Tensor>
{
    /// <summary>torchvision's resnet18.</summary>
    public static readonly int[] ResNet18 = [2, 2, 2, 2];

    /// <summary>The ONNX ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 (a CNTK export): one block more in its last stage.</summary>
    public static readonly int[] OnnxResNet18 = [2, 2, 2, 3];

    public static readonly int[] Widths = [64, 128, 256, 512];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;

    public ResNetTrunk(IReadOnlyList<int> blocks, bool dilated, Device device) : base(nameof(ResNetTrunk))
    {
        if (blocks.Count != 4) throw new ArgumentException("four stages of blocks", nameof(blocks));
        Dilated = dilated;
        conv1 = Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false, device: device);
        bn1 = BatchNorm2d(64, device: device);
        maxpool = MaxPool2d(3, 2, padding: 1);
        var stages = new Sequential[4];
        var channels = 64L;
        for (var s = 0; s < 4; s++)
        {
            var (stride, dilation) = s == 0 ? (1, 1) : dilated && s >= 2 ? (1, s == 2 ? 2 : 4) : (2, 1);
            var layers = new List<(string, Module<Tensor, Tensor>)>();
            for (var b = 0; b < blocks[s]; b++)
            {
                layers.Add((b.ToString(), new BasicBlock(channels, Widths[s], b == 0 ? stride : 1, dilation, device)));
                channels = Widths[s];
            }
            stages[s] = Sequential(layers);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        RegisterComponents();
    }

    public bool Dilated { get; }

    /// <summary>Input pixels per output cell: 32, or 8 when dilated.</summary>
    public int Stride => Dilated ? 8 : 32;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(functional.relu(bn1.call(conv1.call(input))));
        return layer4.call(layer3.call(layer2.call(layer1.call(x)))).MoveToOuterDisposeScope();
    }

    /// <summary>Two 3x3 convolutions with batch norm and a shortcut (a strided 1x1 convolution where the shape changes).</summary>
    private sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm2d bn1, bn2;
        private readonly Sequential? downsample;

        public BasicBlock(long inChannels, long outChannels, int stride, int dilation, Device device) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: dilation, dilation: dilation, bias: false, device: device);
            bn1 = BatchNorm2d(outChannels, device: device);
            conv2 = Conv2d(outChannels, outChannels, 3, padding: dilation, dilation: dilation, bias: false, device: device);
            bn2 = BatchNorm2d(outChannels, device: device);
            if (stride != 1 || inChannels != outChannels)
                downsample = Sequential(("0", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, device: device)),
                    ("1", BatchNorm2d(outChannels, device: device)));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var main = bn2.call(conv2.call(functional.relu(bn1.call(conv1.call(input)))));
            return functional.relu(main + (downsample?.call(input) ?? input)).MoveToOuterDisposeScope();
        }
    }
}
