using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// A run config as a JSON file (`--config FILE`): an object whose keys are <see cref="RunConfig"/>'s properties, as
/// runs are stored; its values replace those of a base config. Unknown keys, wrong types and nulls are refused with
/// the file, the key and the reason; the values themselves are checked by <see cref="RunConfigValidator"/>.
/// </summary>
public static class RunConfigFile
{
    private static readonly IReadOnlyDictionary<string, PropertyInfo> Settings =
        typeof(RunConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(p => p.Name);

    private static readonly NullabilityInfoContext Nullability = new();

    public static RunConfig Load(string path, RunConfig baseConfig)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) { throw new DataFileException(path, $"cannot read ({e.Message})", e); }
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException e) { throw new DataFileException(path, $"not JSON ({FirstLine(e.Message)})", e); }
        if (node is not JsonObject given) throw new DataFileException(path, "expected a JSON object of run settings, such as {\"Folds\": [0, 1]}");

        var merged = JsonSerializer.SerializeToNode(baseConfig)!.AsObject();
        foreach (var (key, value) in given)
        {
            if (!Settings.TryGetValue(key, out var property))
                throw new DataFileException(path, $"unknown setting '{Shorten(key)}'; known: {string.Join(", ", Settings.Keys)}");
            if (value is null && Nullability.Create(property).WriteState != NullabilityState.Nullable)
                throw new DataFileException(path, $"{key}: must not be null");
            merged[key] = value?.DeepClone();
        }
        try { return merged.Deserialize<RunConfig>()!; }
        catch (JsonException e) { throw new DataFileException(path, $"{e.Path?.TrimStart('$', '.')}: wrong type ({FirstLine(e.Message)})", e); }
    }

    private static string FirstLine(string message) => Shorten(message.Split('\n')[0]);

    private static string Shorten(string text) => text.Length > 80 ? text[..77] + "..." : text;
}
