using System.Runtime.InteropServices;
using Onnx;
using SegCluster.Experiment;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>
/// The ImageNet-pretrained ResNet18 served here: NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (a CNTK 2.6
/// export, ONNX IR 3 / opset 8, BasicBlocks in stages of [2, 2, 2, 3], batch norm not folded), which the build
/// downloads without referencing (Learning.csproj's PackageDownload). Its initializers carry CNTK's names
/// (<c>Parameter10</c>), so they are mapped to torchvision's by walking the graph: the first Conv and its
/// BatchNormalization are <c>conv1</c>/<c>bn1</c>; each Add closes a block, its main path BN-Conv-ReLU-BN-Conv back
/// from the Add, its shortcut a 1x1 Conv and BN (<c>downsample</c>) where a new stage begins.
/// </summary>
public static class OnnxResNet
{
    public const string Package = "microsoft.ml.dnnimagefeaturizer.resnet18";
    public const string PackageVersion = "0.23.1";

    /// <summary>The model file's SHA-256, as measured when the package was first examined (the issue's facts).</summary>
    public const string Sha256 = "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f";

    /// <summary>
    /// The network's folder: beside the app where it was published (the silo image), else in the NuGet package cache
    /// (NUGET_PACKAGES, else ~/.nuget/packages) the build downloaded it into.
    /// </summary>
    public static string ModelsFolder =>
        Directory.Exists(Path.Combine(AppContext.BaseDirectory, "DnnImageModels")) ? Path.Combine(AppContext.BaseDirectory, "DnnImageModels")
            : Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache ? cache
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                Package, PackageVersion, "tools", "DnnImageModels");

    public static string ModelPath => Path.Combine(ModelsFolder, "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>The package's preprocessing: RGB to BGR, 0..255 minus a per-pixel mean image at 224x224, no division by a std.</summary>
    public static string PreprocessPath => Path.Combine(ModelsFolder, "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>The initializers under torchvision's names (<c>layer4.2.bn2.running_var</c>), as CPU float tensors.</summary>
    public static Dictionary<string, Tensor> StateDict(string path)
    {
        var graph = Read(path).Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var producer = graph.Node.SelectMany(n => n.Output.Select(o => (Output: o, Node: n))).ToDictionary(p => p.Output, p => p.Node);
        var names = new Dictionary<string, string>();

        void ConvAndNorm(NodeProto norm, string conv, string bn)
        {
            var convolution = Expect(producer[norm.Input[0]], "Conv", path);
            names[convolution.Input[1]] = $"{conv}.weight";
            foreach (var (input, suffix) in norm.Input.Skip(1).Zip(new[] { "weight", "bias", "running_mean", "running_var" }))
                names[input] = $"{bn}.{suffix}";
        }

        var first = graph.Node.First(n => n.OpType == "Conv");
        ConvAndNorm(graph.Node.First(n => n.OpType == "BatchNormalization" && n.Input[0] == first.Output[0]), "conv1", "bn1");
        var (stage, block) = (1, 0);
        foreach (var add in graph.Node.Where(n => n.OpType == "Add"))
        {
            var sources = add.Input.Select(i => producer[i]).ToList();
            var shortcut = sources.FirstOrDefault(n => n.OpType == "BatchNormalization" && KernelOf(producer[n.Input[0]]) == 1);
            var main = Expect(sources.Single(n => n != shortcut && n.OpType == "BatchNormalization"), "BatchNormalization", path);
            if (shortcut is not null) (stage, block) = (stage + 1, 0);
            var prefix = $"layer{stage}.{block}";
            ConvAndNorm(main, $"{prefix}.conv2", $"{prefix}.bn2");
            var relu = Expect(producer[producer[main.Input[0]].Input[0]], "Relu", path);
            ConvAndNorm(Expect(producer[relu.Input[0]], "BatchNormalization", path), $"{prefix}.conv1", $"{prefix}.bn1");
            if (shortcut is not null) ConvAndNorm(shortcut, $"{prefix}.downsample.0", $"{prefix}.downsample.1");
            block++;
        }
        if (names.Count != initializers.Count)
            throw new DataFileException(path, $"{initializers.Count - names.Count} of {initializers.Count} initializers are not in a ResNet's convolutions and batch norms");
        return names.ToDictionary(n => n.Value, n => ToTensor(initializers[n.Key], path));
    }

    /// <summary>
    /// Copies the model's weights into the trunk (which must have its [2, 2, 2, 3] blocks); batch-norm counters and the
    /// trunk's input map stay (<see cref="InputMap"/> is the one for this project's normalised images).
    /// </summary>
    public static void Load(ResNetTrunk trunk, string path)
    {
        var source = StateDict(path);
        try
        {
            using var _ = no_grad();
            foreach (var (name, target) in trunk.state_dict())
            {
                if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal) || name.StartsWith("input_", StringComparison.Ordinal)) continue;
                if (!source.TryGetValue(name, out var value)) throw new DataFileException(path, $"no weights for {name} (a trunk of other blocks than [2, 2, 2, 3]?)");
                if (!value.shape.SequenceEqual(target.shape))
                    throw new DataFileException(path, $"{name} is [{string.Join(", ", value.shape)}], the trunk's [{string.Join(", ", target.shape)}]");
                target.copy_(value);
            }
        }
        finally
        {
            foreach (var t in source.Values) t.Dispose();
        }
    }

    /// <summary>
    /// The trunk's input map (<c>input_weight</c> [3, 3, 1, 1], <c>input_bias</c> [3]) from this project's images
    /// (RGB normalised by torchvision's mean and std, <see cref="Data.EpisodeTensors"/>) to the package's input: BGR
    /// 0..255 minus the mean image's per-channel means (at any size; the package's per-pixel mean image is for 224x224
    /// only). Masked-out support pixels, zero after normalisation, become about zero here too.
    /// </summary>
    public static Dictionary<string, Tensor> InputMap(string preprocessPath)
    {
        using var mean = MeanImage(preprocessPath);
        var channelMeans = mean.mean([0, 2, 3]).data<float>().ToArray();   // B, G, R
        var weight = new float[9];
        var bias = new float[3];
        for (var output = 0; output < 3; output++)
        {
            var rgb = 2 - output;
            weight[output * 3 + rgb] = 255 * Data.EpisodeTensors.Std[rgb];
            bias[output] = 255 * Data.EpisodeTensors.Mean[rgb] - channelMeans[output];
        }
        return new() { ["input_weight"] = tensor(weight, [3, 3, 1, 1], device: CPU), ["input_bias"] = tensor(bias, device: CPU) };
    }

    /// <summary>The preprocessing's mean image, [1, 3, 224, 224] in BGR order.</summary>
    public static Tensor MeanImage(string preprocessPath) => ToTensor(Read(preprocessPath).Graph.Initializer.Single(), preprocessPath);

    /// <summary>
    /// An RGB batch of 0..255 values made the network's input: BGR, minus the mean image where the size is its own
    /// (224x224), else minus its per-channel means (about B 103.1, G 115.9, R 123.2).
    /// </summary>
    public static Tensor Preprocess(Tensor rgb255, Tensor meanImage)
    {
        using var scope = NewDisposeScope();
        var bgr = rgb255.flip(1);
        var mean = bgr.shape[2] == meanImage.shape[2] && bgr.shape[3] == meanImage.shape[3] ? meanImage : meanImage.mean([2, 3], keepdim: true);
        return (bgr - mean.to(bgr.device)).MoveToOuterDisposeScope();
    }

    private static ModelProto Read(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, $"not found (the build downloads NuGet {Package} {PackageVersion}; restore the solution)");
        try { return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new DataFileException(path, $"not an ONNX model ({e.Message})", e); }
    }

    private static NodeProto Expect(NodeProto node, string opType, string path) =>
        node.OpType == opType ? node : throw new DataFileException(path, $"node {node.Name} is {node.OpType} where a ResNet has {opType}");

    private static long KernelOf(NodeProto convolution) =>
        convolution.OpType == "Conv" ? convolution.Attribute.Single(a => a.Name == "kernel_shape").Ints[0] : 0;

    private static Tensor ToTensor(TensorProto proto, string path)
    {
        if (proto.DataType != (int)TensorProto.Types.DataType.Float) throw new DataFileException(path, $"initializer {proto.Name} is not float32");
        var values = proto.FloatData.Count > 0 ? proto.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(proto.RawData.Span).ToArray();
        return tensor(values, [.. proto.Dims], device: CPU);
    }
}
