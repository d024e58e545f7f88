namespace SegCluster.Grains;

/// <summary>Per-silo settings (configuration section "Silo").</summary>
public sealed class SiloDeviceOptions
{
    public const string Section = "Silo";

    /// <summary>Device slots this silo offers to fold training, e.g. "cuda:0" or "cpu:0".</summary>
    public List<string> Devices { get; set; } = ["cpu:0"];

    /// <summary>Torch intra-op threads for this silo process (silos on one machine share its cores).</summary>
    public int TorchThreads { get; set; } = 1;
}
