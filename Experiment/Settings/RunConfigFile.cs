using System.Text.Json;
using System.Text.Json.Nodes;
using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// A run config as a JSON file (`--config FILE`): an object whose keys are the settings' keys (<see cref="RunSettings"/>,
/// as runs are stored); its values replace those of a base config. Unknown keys, wrong types and nulls are refused
/// with the file, the key and the reason; the values themselves are checked by <see cref="RunConfigValidator"/>.
/// </summary>
public static class RunConfigFile
{
    public static RunConfig Load(string path, RunConfig baseConfig)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) { throw new DataFileException(path, $"cannot read ({e.Message})", e); }
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException e) { throw new DataFileException(path, $"not JSON ({Shorten(e.Message.Split('\n')[0])})", e); }
        if (node is not JsonObject given) throw new DataFileException(path, "expected a JSON object of run settings, such as {\"Folds\": [0, 1]}");

        var config = baseConfig;
        foreach (var (key, value) in given)
        {
            var setting = RunSettings.ByKey(key)
                ?? throw new DataFileException(path, $"unknown setting '{Shorten(key)}'; known: {string.Join(", ", RunSettings.All.Select(s => s.Key))}");
            try { config = setting.Read(config, value); }
            catch (RunSettingException e) { throw new DataFileException(path, $"{key}: {e.Reason}", e); }
        }
        return config;
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..77] + "..." : text;
}
