using System.Globalization;
using SegCluster.Learning.Data;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>
/// The checkpoints of one fold training in a directory (local .segcluster/ by default, a shared volume in k8s):
/// files named iter-NNNNNNNN.ckpt. The newest one that passes its checksum is the one to resume from.
/// </summary>
public sealed class CheckpointStore(string directory, int keep = 3)
{
    public string Directory { get; } = directory;

    public string PathFor(int iteration) => Path.Combine(Directory, $"iter-{iteration.ToString("D8", CultureInfo.InvariantCulture)}.ckpt");

    private static int IterationOf(string path) =>
        int.Parse(Path.GetFileNameWithoutExtension(path).AsSpan("iter-".Length), CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Files() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "iter-*.ckpt").Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>The newest readable checkpoint, skipping (and reporting) corrupt ones; null when there is none.</summary>
    public string? LatestGood(Action<string>? reportCorrupt = null)
    {
        foreach (var file in Files().Reverse())
        {
            try
            {
                CheckpointFile.Verify(file);
                return file;
            }
            catch (DataFileException e) { reportCorrupt?.Invoke(e.Message); }
        }
        return null;
    }

    /// <summary>Deletes the checkpoints after an iteration (they are ahead of what was recorded and will be written again).</summary>
    public void DiscardAfter(int iteration)
    {
        foreach (var newer in Files().Where(file => IterationOf(file) > iteration)) File.Delete(newer);
    }

    /// <summary>Deletes all but the newest <c>keep</c> checkpoints.</summary>
    public void Prune()
    {
        var files = Files();
        foreach (var old in files.Take(Math.Max(0, files.Count - keep))) File.Delete(old);
    }
}
