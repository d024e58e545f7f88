using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using SegCluster.Learning.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// Loads PyTorch-written state dicts (torch.save(model.state_dict(), path)) through TorchSharp.PyBridge: a whole
/// OSLSM state dict, or ImageNet weights in torchvision's layout: VGG-16/AlexNet, whose fc6/fc7 become the
/// segmentation branch's convolutions (4096x25088 -> 4096x512x7x7), or a BasicBlock ResNet; and the served ONNX
/// ResNet18 (<see cref="OnnxResNet"/>). Mismatches list every missing or mis-shaped tensor.
/// </summary>
public static class ModelWeights
{
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "weights file not found");
        Hashtable table;
        try { table = PyTorchUnpickler.UnpickleStateDict(path); }
        catch (Exception e)
        {
            throw new DataFileException(path, $"not a PyTorch state dict saved with torch.save(model.state_dict(), ...) ({e.Message})", e);
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
            if (entry.Key is string key && entry.Value is Tensor tensor) result[key] = tensor;
        if (result.Count == 0) throw new DataFileException(path, "the file holds no tensors");
        return result;
    }

    /// <summary>Loads a full OSLSM state dict (every parameter and buffer must be present with its shape).</summary>
    public static void LoadOslsm(OslsmNetwork network, string path)
    {
        var source = ReadStateDict(path);
        CopyInto(network, source, path, requireAll: true);
    }

    /// <summary>
    /// A network's ImageNet start, where it has one: nothing from scratch; else the torchvision state dict
    /// <paramref name="imageNetWeights"/> (VGG-16, AlexNet, resnet18/34), else for the ResNet presets the served
    /// ResNet18 (<see cref="OnnxResNet"/>). Loaded ResNets' batch norms are frozen (one-image batches).
    /// </summary>
    public static void Initialise(nn.Module network, OslsmPreset preset, string? imageNetWeights, bool fromScratch)
    {
        var path = StartingWeights(preset, imageNetWeights, fromScratch);
        if (path is null) return;
        if (path == imageNetWeights) LoadImageNet(network, preset, path, ReadStateDict(path));
        else
        {
            var served = OnnxResNet.StateDict(path);
            foreach (var (key, value) in OnnxResNet.InputMap(OnnxResNet.PreprocessPath)) served[key] = value;
            try { LoadImageNet(network, preset, path, served); }
            finally { foreach (var tensor in served.Values) tensor.Dispose(); }   // 64 MB of copies per network, freed now rather than at finalisation
        }
        foreach (var trunk in network.modules().OfType<ResNetTrunk>()) trunk.FreezeBatchNorm();
    }

    /// <summary>The file a network's ImageNet start comes from (<see cref="Initialise"/>), or null when it starts from its seed alone.</summary>
    public static string? StartingWeights(OslsmPreset preset, string? imageNetWeights, bool fromScratch) =>
        fromScratch ? null : imageNetWeights ?? (preset.HasServedWeights ? OnnxResNet.ModelPath : null);

    /// <summary>
    /// The preset as the network is built: a ResNet preset given a torchvision .pth takes that file's blocks per stage
    /// (resnet18's [2, 2, 2, 2], resnet34's [3, 4, 6, 3]) instead of the served network's [2, 2, 2, 3].
    /// </summary>
    public static OslsmPreset Layout(OslsmPreset preset, string? imageNetWeights, bool fromScratch) =>
        preset.Backbone != Backbone.ResNet || imageNetWeights is null || fromScratch ? preset
            : preset with { Blocks = layouts.GetOrAdd((Path.GetFullPath(imageNetWeights), File.GetLastWriteTimeUtc(imageNetWeights)), key => ResNetBlocks(key.Path)) };

    private static readonly ConcurrentDictionary<(string Path, DateTime Written), int[]> layouts = new();

    /// <summary>Blocks per stage of a torchvision BasicBlock ResNet's state dict.</summary>
    private static int[] ResNetBlocks(string path)
    {
        var keys = ReadStateDict(path).Keys.ToList();
        CheckBasicBlocks(keys, path);
        var blocks = Enumerable.Range(1, 4).Select(stage => keys.Where(k => k.StartsWith($"layer{stage}.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[1], CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max()).ToArray();
        return blocks.All(b => b > 0) ? blocks : throw new DataFileException(path, "not a torchvision ResNet state dict (no layer1..layer4 keys)");
    }

    private static void CheckBasicBlocks(IEnumerable<string> keys, string path)
    {
        if (keys.Any(k => k.Contains(".conv3.", StringComparison.Ordinal)))
            throw new DataFileException(path, "a Bottleneck ResNet (resnet50 or deeper): the resnet18 presets take BasicBlock ResNets (resnet18, resnet34)");
    }

    /// <summary>
    /// ImageNet keys onto ours. VGG/AlexNet: conv layers into every branch that has them ("conditioning.",
    /// "segmentation."), the classifier into the conditioning branch, and fc6/fc7 reshaped into the FCN trunk's
    /// convolutions. ResNet: the trunk into both branches (its fc classifier unused). Every parameter must be covered
    /// except the ones ImageNet has no counterpart for (weight hashing, the 16-way head, the Siamese embedding; a
    /// torchvision ResNet's input map stays the identity).
    /// </summary>
    private static void LoadImageNet(nn.Module network, OslsmPreset preset, string path, Dictionary<string, Tensor> source)
    {
        var target = network.state_dict();
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (preset.Backbone == Backbone.ResNet)
        {
            CheckBasicBlocks(source.Keys, path);
            foreach (var (key, tensor) in source.Where(p => !p.Key.StartsWith("fc.", StringComparison.Ordinal)))
            {
                mapped["conditioning.features." + key] = tensor;
                mapped["segmentation." + key] = tensor;
            }
        }
        else
        {
            var (fc6, fc7, _) = BackboneLayers.ClassifierIndices(preset);   // fc8 stays in the conditioning branch (its outputs feed the weight hashing)
            foreach (var (key, tensor) in source)
            {
                if (key.StartsWith("features.", StringComparison.Ordinal))
                {
                    mapped["conditioning." + key] = tensor;
                    mapped["segmentation." + key] = tensor;
                }
                else if (key.StartsWith("classifier.", StringComparison.Ordinal))
                    mapped["conditioning." + key] = tensor;
            }
            void AsConvolution(int index, string name)
            {
                foreach (var suffix in new[] { "weight", "bias" })
                    if (source.TryGetValue($"classifier.{index}.{suffix}", out var t) && target.TryGetValue($"segmentation.{name}.{suffix}", out var into)
                        && t.numel() == into.numel())
                        mapped[$"segmentation.{name}.{suffix}"] = t.reshape(into.shape);
            }
            AsConvolution(fc6, "fc6");
            AsConvolution(fc7, "fc7");
        }
        static bool WithoutImageNetCounterpart(string key) =>
            key.StartsWith("conditioning.hashing.", StringComparison.Ordinal) || key.StartsWith("score.", StringComparison.Ordinal)
            || key.StartsWith("embedding.", StringComparison.Ordinal) || key is "scale" or "offset"
            || key.EndsWith(".num_batches_tracked", StringComparison.Ordinal) || key.EndsWith("input_weight", StringComparison.Ordinal)
            || key.EndsWith("input_bias", StringComparison.Ordinal);
        CopyInto(network, mapped, path, requireAll: true, target.Keys.Where(k => !WithoutImageNetCounterpart(k)).ToHashSet());
    }

    private static void CopyInto(nn.Module module, Dictionary<string, Tensor> source, string path, bool requireAll, ISet<string>? required = null)
    {
        var target = module.state_dict();
        var missing = new List<string>();
        var misShaped = new List<string>();
        foreach (var (key, into) in target)
        {
            if (!source.TryGetValue(key, out var from))
            {
                if (requireAll && (required is null || required.Contains(key))) missing.Add(key);
                continue;
            }
            if (!from.shape.SequenceEqual(into.shape))
                misShaped.Add($"{key} is [{string.Join("x", from.shape)}], expected [{string.Join("x", into.shape)}]");
        }
        if (missing.Count > 0 || misShaped.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing {missing.Count}: {string.Join(", ", missing.Take(12))}{(missing.Count > 12 ? ", ..." : "")}");
            if (misShaped.Count > 0) parts.Add($"wrong shape: {string.Join("; ", misShaped.Take(12))}{(misShaped.Count > 12 ? "; ..." : "")}");
            throw new DataFileException(path, "weights do not fit the model: " + string.Join("; ", parts));
        }
        using (no_grad())
            foreach (var (key, into) in target)
                if (source.TryGetValue(key, out var from))
                    into.copy_(from.to_type(into.dtype));
    }
}
