using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegCluster.Learning.Models;

/// <summary>
/// A ResNet of BasicBlocks up to its last stage (no pooling head), with torchvision's names (<c>conv1</c>, <c>bn1</c>,
/// <c>layer1.0.conv1</c>, ..., <c>layerN.0.downsample.{0,1}</c>) so a torchvision resnet18/34 state dict loads by name.
/// Its output is the last stage's map: stride 32, or stride 8 with the last two stages dilated (2 and 4) instead of
/// strided, as later few-shot codebases do. A fixed 1x1 input map (<c>input_weight</c>, <c>input_bias</c>: identity
/// unless the weights' own preprocessing is loaded into it) turns this project's normalised RGB into what the weights expect.
/// </summary>
public sealed class ResNetTrunk : SegmentationTrunk
{
    /// <summary>torchvision's resnet18.</summary>
    public static readonly int[] ResNet18 = [2, 2, 2, 2];

    /// <summary>The ONNX ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 (a CNTK export): one block more in its last stage.</summary>
    public static readonly int[] OnnxResNet18 = [2, 2, 2, 3];

    public static readonly int[] Widths = [64, 128, 256, 512];

    private readonly Tensor input_weight;
    private readonly Tensor input_bias;
    private readonly Conv2d conv1;
    private readonly BatchNorm bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;
    private readonly IReadOnlyList<int> blocks;
    private readonly ChannelsLast layout = new();

    public ResNetTrunk(IReadOnlyList<int> blocks, bool dilated, Device device) : base(nameof(ResNetTrunk))
    {
        if (blocks.Count != 4 || blocks.Any(b => b < 1)) throw new ArgumentException("four stages of at least one block", nameof(blocks));
        this.blocks = blocks;
        Dilated = dilated;
        input_weight = eye(3, device: device).reshape(3, 3, 1, 1);
        input_bias = zeros(3, device: device);
        register_buffer("input_weight", input_weight);
        register_buffer("input_bias", input_bias);
        conv1 = Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false, device: device);
        bn1 = new BatchNorm(64, device);
        maxpool = MaxPool2d(3, 2, padding: 1);
        (layer1, layer2, layer3, layer4) = (Stage(0, device), Stage(1, device), Stage(2, device), Stage(3, device));
        RegisterComponents();
    }

    public bool Dilated { get; }

    /// <summary>Input pixels per output cell: 32, or 8 when dilated.</summary>
    public int Stride => Dilated ? 8 : 32;

    /// <summary>Stage <paramref name="s"/> (0..3) of fresh blocks: stride 2 where a stage halves the map, dilation 2 and 4 instead in the dilated trunk.</summary>
    private Sequential Stage(int s, Device device)
    {
        var (stride, dilation) = s == 0 ? (1, 1) : Dilated && s >= 2 ? (1, s == 2 ? 2 : 4) : (2, 1);
        var channels = s == 0 ? 64L : Widths[s - 1];
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (var b = 0; b < blocks[s]; b++)
        {
            layers.Add((b.ToString(), new BasicBlock(channels, Widths[s], b == 0 ? stride : 1, dilation, device)));
            channels = Widths[s];
        }
        return Sequential(layers);
    }

    /// <summary>Freezes every batch norm (statistics and affine), as fine-tuning an ImageNet ResNet on one-image batches needs.</summary>
    public void FreezeBatchNorm()
    {
        foreach (var norm in modules().OfType<BatchNorm>()) norm.Freeze();
    }

    public override void UseChannelsLast() => layout.Apply(this);

    /// <summary>The stem and the first three stages (the fine-tuning baseline's frozen part).</summary>
    public override Tensor Convolutional(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = layout.Order(functional.conv2d(images, input_weight, input_bias));
        x = maxpool.call(functional.relu(bn1.call(conv1.call(x))));
        return layer3.call(layer2.call(layer1.call(x))).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A copy of the last stage with its weights, its batch norms frozen: trained on an episode's few supports, it keeps
    /// the statistics the base network learned (or was loaded with) rather than those of one support.
    /// </summary>
    public override Module<Tensor, Tensor> CopyHead()
    {
        var copy = Stage(3, input_bias.device);
        using (no_grad())
        {
            var from = layer4.state_dict();
            foreach (var (name, into) in copy.state_dict()) into.copy_(from[name]);
        }
        foreach (var norm in copy.modules().OfType<BatchNorm>()) norm.Freeze();
        return copy;
    }

    /// <summary>The last stage's map, [N, 512, ceil(H/stride), ceil(W/stride)].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return layer4.call(Convolutional(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Two 3x3 convolutions with batch norm and a shortcut (a strided 1x1 convolution where the shape changes).</summary>
    private sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1, conv2;
        private readonly BatchNorm bn1, bn2;
        private readonly Sequential? downsample;

        public BasicBlock(long inChannels, long outChannels, int stride, int dilation, Device device) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: dilation, dilation: dilation, bias: false, device: device);
            bn1 = new BatchNorm(outChannels, device);
            conv2 = Conv2d(outChannels, outChannels, 3, padding: dilation, dilation: dilation, bias: false, device: device);
            bn2 = new BatchNorm(outChannels, device);
            if (stride != 1 || inChannels != outChannels)
                downsample = Sequential(("0", Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, device: device)),
                    ("1", new BatchNorm(outChannels, device)));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var main = bn2.call(conv2.call(functional.relu(bn1.call(conv1.call(input)))));
            return functional.relu(main + (downsample?.call(input) ?? input)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Batch norm with torchvision's names (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>,
    /// <c>num_batches_tracked</c>) through the functional call: TorchSharp's BatchNorm2d counts batches with an implicit
    /// Scalar the GC can finalise mid-call. Frozen, it normalises with the stored statistics in training too and its
    /// scale and shift do not train.
    /// </summary>
    internal sealed class BatchNorm : Module<Tensor, Tensor>
    {
        private const double Momentum = 0.1, Epsilon = 1e-5;
        private readonly Parameter weight, bias;
        private readonly Tensor running_mean, running_var, num_batches_tracked;

        public BatchNorm(long channels, Device device) : base(nameof(BatchNorm))
        {
            weight = new Parameter(ones(channels, device: device));
            bias = new Parameter(zeros(channels, device: device));
            running_mean = zeros(channels, device: device);
            running_var = ones(channels, device: device);
            num_batches_tracked = tensor(0L, device: device);
            register_buffer("running_mean", running_mean);
            register_buffer("running_var", running_var);
            register_buffer("num_batches_tracked", num_batches_tracked);
            RegisterComponents();
        }

        private bool frozen;

        public void Freeze()
        {
            frozen = true;
            weight.requires_grad = false;
            bias.requires_grad = false;
        }

        public override Tensor forward(Tensor input) =>
            functional.batch_norm(input, running_mean, running_var, weight, bias, training && !frozen, Momentum, Epsilon);
    }
}
