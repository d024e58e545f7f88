namespace SegCluster.Experiment;

/// <summary>A data file or folder that cannot be used, with the path and the reason.</summary>
public sealed class DataFileException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    public string FilePath { get; } = path;
    public string Reason { get; } = reason;
}
