using SegCluster.Contracts;
using SegCluster.Experiment;

namespace SegCluster.Dashboard;

/// <summary>
/// The launch page's fields, one per run setting (<see cref="RunSettings"/>), as text the way the CLI takes it
/// ("0,1,2,3"), starting from the paper's protocol; an empty field means the setting's default.
/// </summary>
public sealed class LaunchForm
{
    private readonly Dictionary<RunSetting, string> values = RunSettings.All.ToDictionary(s => s, s => s.Format(RunSettings.Unresolved));

    public string this[RunSetting setting]
    {
        get => values[setting];
        set => values[setting] = value;
    }

    /// <summary>Whether a Choices setting (the methods) has this choice ticked.</summary>
    public bool Has(RunSetting setting, string choice) => values[setting].Split(',').Contains(choice);

    public void Toggle(RunSetting setting, string choice, bool on)
    {
        var chosen = setting.Choices.Where(c => c == choice ? on : Has(setting, c));
        values[setting] = string.Join(",", chosen);
    }

    /// <summary>The run config; a malformed field names its setting. Values and paths are checked by the validator.</summary>
    public RunConfig ToConfig()
    {
        var config = RunSettings.All.Aggregate(RunSettings.Unresolved, (c, s) => s.Parse(c, values[s]));
        config = RunSettings.Resolve(config);
        return config.RunId.Length > 0 ? config : config with { RunId = RunSettings.NewRunId("web") };
    }
}
