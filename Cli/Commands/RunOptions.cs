using System.CommandLine;
using SegCluster.Contracts;
using SegCluster.Experiment;

namespace SegCluster.Cli.Commands;

/// <summary>
/// The options that describe a run, shared by `launch` and `reproduce`: one per run setting (<see cref="RunSettings"/>),
/// its help and default from the setting's description; defaults are the paper's protocol.
/// </summary>
public sealed class RunOptions
{
    private readonly RunConfig defaults;
    private readonly string runIdPrefix;
    private readonly IReadOnlyList<(RunSetting Setting, Option Option)> options;

    /// <param name="defaults">the settings options not given take (derived ones unset: <see cref="RunSettings.Unresolved"/>)</param>
    public RunOptions(string runIdPrefix, RunConfig defaults)
    {
        this.runIdPrefix = runIdPrefix;
        this.defaults = defaults;
        options = [.. RunSettings.All.Select(s =>
        {
            var description = $"{s.Help}{Choices(s)} (default: {(s.Format(defaults) is { Length: > 0 } given && given != s.Format(RunSettings.Unresolved) ? given : s.DefaultText)})";
            Option option = s.IsList
                ? new Option<string[]>("--" + s.Flag) { Description = description, AllowMultipleArgumentsPerToken = true }
                : new Option<string>("--" + s.Flag) { Description = description };
            return (s, option);
        })];
    }

    public Option<FileInfo?> Config { get; } = new("--config") { Description = "a JSON file of run settings (the keys runs are stored with); options given override it" };

    /// <summary>`--train-seeds N`: the run trained under N seeds (N runs in one group, reported together); not a setting of any one run.</summary>
    public Option<int> TrainSeeds { get; } = new("--train-seeds")
    {
        Description = "train under this many seeds (--seed, --seed + 1, ...): one run each, grouped, every table the group's mean ± std (default: 1)",
        DefaultValueFactory = _ => 1,
        Validators = { r => { if (r.GetValueOrDefault<int>() is < 1 or > 20) r.AddError("--train-seeds: 1..20"); } },
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(TrainSeeds);
        foreach (var (_, option) in options) command.Options.Add(option);
    }

    /// <summary>The run config: the --config file over the defaults (or the defaults alone), then every option given.</summary>
    /// <param name="baseConfig">other defaults than the ones the help shows (reproduce's --solver paper)</param>
    public RunConfig Read(ParseResult parse, RunConfig? baseConfig = null)
    {
        var start = baseConfig ?? defaults;
        var config = parse.GetValue(Config) is { } file ? RunConfigFile.Load(file.FullName, start) : start;
        foreach (var (setting, option) in options)
        {
            if (parse.GetResult(option) is not { Implicit: false }) continue;
            var text = option is Option<string[]> list ? string.Join(",", parse.GetValue(list)!) : parse.GetValue((Option<string>)option)!;
            // Paths are this machine's: made absolute here, before they travel to the silos.
            if (setting.Kind is SettingKind.Folder or SettingKind.File && text.Length > 0) text = Path.GetFullPath(text);
            try { config = setting.Parse(config, text); }
            catch (RunSettingException e) { throw new ArgumentException($"--{setting.Flag}: {e.Reason}", e); }
        }
        config = RunSettings.Resolve(config);
        return config.RunId.Length > 0 ? config : config with { RunId = RunSettings.NewRunId(runIdPrefix) };
    }

    private static string Choices(RunSetting setting) => setting.Choices.Count > 0 ? $": {string.Join(", ", setting.Choices)}" : "";
}
