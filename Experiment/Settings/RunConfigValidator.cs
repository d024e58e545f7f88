using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>Checks a run config before anything starts; every problem names the setting and the reason (<see cref="RunSettings"/>).</summary>
public static class RunConfigValidator
{
    /// <param name="checkPaths">false where the paths are the silos' and not this machine's (a client checking before it submits)</param>
    public static void Validate(RunConfig config, IReadOnlyList<string> dataRoots, bool checkPaths = true)
    {
        var problems = RunSettings.Problems(config, new PathPolicy(dataRoots, checkPaths));
        if (problems.Count > 0) throw new ArgumentException("invalid run config: " + string.Join("; ", problems));
    }

    public static bool IsUnder(string fullPath, string root)
    {
        var normalisedRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        return (fullPath + Path.DirectorySeparatorChar).StartsWith(normalisedRoot, StringComparison.Ordinal);
    }
}
