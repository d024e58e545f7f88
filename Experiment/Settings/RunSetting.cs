using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>How a setting is entered: free text (numbers, lists), a folder or file path, one of its choices, several of them.</summary>
public enum SettingKind { Text, Folder, File, Choice, Choices }

/// <summary>A value a setting's parser refused; each front end names the setting its own way (--flag, field).</summary>
public sealed class RunSettingException(RunSetting setting, string reason) : ArgumentException($"{setting.Name}: {reason}")
{
    public RunSetting Setting { get; } = setting;
    public string Reason { get; } = reason;
}

/// <summary>Where the validator confines a run's paths, and whether they are this machine's to check.</summary>
public sealed record PathPolicy(IReadOnlyList<string> DataRoots, bool CheckExists);

/// <summary>
/// One run setting, described once: its key in <see cref="RunConfig"/> and config files, its CLI flag (also the
/// launch form's field id), label, one-line help, default, the rule its value must meet and its text parser. The CLI
/// options, the launch form, the config-file reader and the validator are all made from these descriptions
/// (<see cref="RunSettings.All"/>).
/// </summary>
public abstract class RunSetting(string key, string flag, string label, string help, SettingKind kind)
{
    /// <summary>The <see cref="RunConfig"/> property: the key of config files and stored runs.</summary>
    public string Key { get; } = key;

    /// <summary>The name in messages: the key in camel case ("batchSize").</summary>
    public string Name { get; } = char.ToLowerInvariant(key[0]) + key[1..];

    /// <summary>The CLI option without its dashes ("batch-size"), and the launch form's field id.</summary>
    public string Flag { get; } = flag;

    public string Label { get; } = label;
    public string Help { get; } = help;
    public SettingKind Kind { get; } = kind;

    /// <summary>The values a Choice or Choices setting takes.</summary>
    public virtual IReadOnlyList<string> Choices => [];

    /// <summary>Whether the value may be absent (an optional path).</summary>
    public abstract bool Optional { get; }

    /// <summary>Whether the value is a list (folds, shots, methods): several words on a command line.</summary>
    public abstract bool IsList { get; }

    /// <summary>The value as one types it ("0,1,2,3"); "" where it is unset or left to be derived.</summary>
    public abstract string Format(RunConfig config);

    /// <summary>What an absent option or an empty field means ("1000", "the preset's", "none").</summary>
    public abstract string DefaultText { get; }

    /// <summary>The config with this setting parsed from text (empty: the default); throws <see cref="RunSettingException"/> with the reason.</summary>
    public abstract RunConfig Parse(RunConfig config, string text);

    /// <summary>The config with this setting read from a config file's JSON value; throws <see cref="RunSettingException"/>.</summary>
    public abstract RunConfig Read(RunConfig config, JsonNode? value);

    /// <summary>Why the value cannot run, or null.</summary>
    public abstract string? Problem(RunConfig config, PathPolicy paths);

    /// <summary>The setting at its default (a derived one unset, for <see cref="Resolve"/>).</summary>
    internal abstract RunConfig WithDefault(RunConfig config);

    /// <summary>A derived setting left unset takes its value from the others (the preset's sizes, --iterations).</summary>
    internal abstract RunConfig Resolve(RunConfig config);

    /// <summary>A config stored before the setting existed gets the value that run ran with.</summary>
    internal abstract RunConfig Upgrade(RunConfig config);
}

/// <summary>A run setting of type <typeparamref name="T"/> (see <see cref="RunSetting"/>).</summary>
public sealed class RunSetting<T>(string key, string flag, string label, string help, SettingKind kind) : RunSetting(key, flag, label, help, kind)
{
    public required Func<RunConfig, T> Get { get; init; }
    public required Func<RunConfig, T, RunConfig> Set { get; init; }

    /// <summary>Text to value; throws <see cref="FormatException"/> with the reason.</summary>
    public required Func<string, T> ParseText { get; init; }
    public Func<T, string> FormatText { get; init; } = v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
    public required T Default { get; init; }

    /// <summary>For a derived setting: its value when left unset (<see cref="Default"/> is then the unset marker).</summary>
    public (Func<RunConfig, T> Value, string Text)? Derived { get; init; }

    /// <summary>Why a value cannot run (null: it can); given the whole config for settings that only matter to some methods.</summary>
    public Func<T, RunConfig, string?> Rule { get; init; } = (_, _) => null;

    /// <summary>For path settings: the check of the path against the data roots and this machine's files.</summary>
    public Func<T, PathPolicy, string?>? PathRule { get; init; }

    /// <summary>The value a config stored before this setting existed ran with (stored as default(T)), if not default(T).</summary>
    public (T Stored, T RanWith)? Absent { get; init; }

    public IReadOnlyList<string> ChoiceList { get; init; } = [];
    public override IReadOnlyList<string> Choices => ChoiceList;
    public bool IsOptional { get; init; }

    /// <summary>What the default is, where it is not a value (a generated run id).</summary>
    public string? DefaultNote { get; init; }
    public override bool Optional => IsOptional;
    public override bool IsList => typeof(T).IsArray;

    public override string Format(RunConfig config) =>
        Get(config) is var value && (value is null || (Derived is not null && EqualityComparer<T>.Default.Equals(value, Default))) ? "" : FormatText(value);

    public override string DefaultText => DefaultNote ?? Derived?.Text ?? (Default is null ? "none" : FormatText(Default));

    public override RunConfig Parse(RunConfig config, string text)
    {
        text = text.Trim();
        if (text.Length == 0) return Set(config, Default);
        try { return Set(config, ParseText(text)); }
        catch (FormatException e) { throw new RunSettingException(this, e.Message); }
    }

    public override RunConfig Read(RunConfig config, JsonNode? value)
    {
        if (value is null)
            return Optional ? Set(config, Default) : throw new RunSettingException(this, "must not be null");
        try { return Set(config, value.Deserialize<T>()!); }
        catch (FormatException e) { throw new RunSettingException(this, e.Message); }   // a name that is not one of the choices
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new RunSettingException(this, $"wrong type ({FirstLine(e.Message)})");
        }
    }

    public override string? Problem(RunConfig config, PathPolicy paths)
    {
        var value = Get(config);
        return Rule(value, config) ?? PathRule?.Invoke(value, paths);
    }

    internal override RunConfig WithDefault(RunConfig config) => Set(config, Default);

    internal override RunConfig Resolve(RunConfig config) =>
        Derived is { } derived && EqualityComparer<T>.Default.Equals(Get(config), Default) ? Set(config, derived.Value(config)) : config;

    internal override RunConfig Upgrade(RunConfig config) =>
        Absent is { } absent && EqualityComparer<T>.Default.Equals(Get(config), absent.Stored) ? Set(config, absent.RanWith) : config;

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0];
        return line.Length > 80 ? line[..77] + "..." : line;
    }
}
