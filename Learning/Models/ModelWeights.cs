using System.Collections;
using SegCluster.Learning.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Models;

/// <summary>
/// Loads PyTorch-written state dicts (torch.save(model.state_dict(), path)) through TorchSharp.PyBridge: a whole
/// OSLSM state dict, or ImageNet VGG-16/AlexNet weights in torchvision's layout, whose fc6/fc7 become the
/// segmentation branch's convolutions (4096x25088 -> 4096x512x7x7). Mismatches list every missing or mis-shaped tensor.
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

    /// <summary>Loads torchvision ImageNet weights (VGG-16 or AlexNet) into both branches.</summary>
    public static void LoadImageNet(OslsmNetwork network, string path) => LoadImageNet(network, network.Preset, path);

    /// <summary>Loads torchvision ImageNet weights into the base classifier's trunk (its 16-way head starts from the seed).</summary>
    public static void LoadImageNet(PixelClassifierNetwork network, string path) => LoadImageNet(network, network.Preset, path);

    /// <summary>Loads torchvision ImageNet weights into the Siamese network's trunk (embedding and similarity start from the seed).</summary>
    public static void LoadImageNet(SiameseNetwork network, string path) => LoadImageNet(network, network.Preset, path);

    /// <summary>
    /// torchvision keys onto ours: conv layers into every branch that has them ("conditioning.", "segmentation."),
    /// the classifier into the conditioning branch, and fc6/fc7 reshaped into the FCN trunk's convolutions. Every
    /// parameter must be covered except the ones ImageNet has no counterpart for (weight hashing, the 16-way head).
    /// </summary>
    private static void LoadImageNet(nn.Module network, OslsmPreset preset, string path)
    {
        var source = ReadStateDict(path);
        var target = network.state_dict();
        var (fc6, fc7, fc8) = BackboneLayers.ClassifierIndices(preset);
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
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
        _ = fc8; // fc8 stays in the conditioning branch (its 1000 outputs feed the weight hashing)
        var required = target.Keys.Where(k => !k.StartsWith("conditioning.hashing.", StringComparison.Ordinal) && !k.StartsWith("score.", StringComparison.Ordinal)
                        && !k.StartsWith("embedding.", StringComparison.Ordinal) && k is not ("scale" or "offset"))
            .ToHashSet();
        CopyInto(network, mapped, path, requireAll: true, required);
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
