namespace SegCluster.Grains;

/// <summary>Per-silo settings (configuration section "Silo"; the CLI's silo options set them).</summary>
public sealed class SiloSettings
{
    public const string Section = "Silo";

    /// <summary>Device slots this silo offers to fold training, e.g. "cuda:0" or "cpu:0".</summary>
    public List<string> Devices { get; set; } = ["cpu:0"];

    /// <summary>
    /// The device this silo's episode grains score on ("cpu", "cuda:N"); empty: its first device slot (a cpu:N slot
    /// scores on the CPU), or the CPU when it offers none.
    /// </summary>
    public string ScoringDevice { get; set; } = "";

    /// <summary>The scoring device as <see cref="ScoringDevice"/> resolves it.</summary>
    public string ResolvedScoringDevice => ScoringDevice is { Length: > 0 } named ? named : Devices.FirstOrDefault() ?? "cpu";

    /// <summary>Torch intra-op threads for this silo process (silos on one machine share its cores).</summary>
    public int TorchThreads { get; set; } = 1;

    /// <summary>Where fold checkpoints go: the same path on every silo (local .segcluster/ or a shared volume).</summary>
    public string CheckpointRoot { get; set; } = Path.Combine(Path.GetTempPath(), "segcluster-checkpoints");

    /// <summary>Folders that runs may read data and weights from; paths outside them are refused.</summary>
    public List<string> DataRoots { get; set; } = [];
}
