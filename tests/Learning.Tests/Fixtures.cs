using SegCluster.Learning.Data;

namespace SegCluster.Learning.Tests;

/// <summary>Paths of the committed fixtures (tests/fixtures, copied next to the test assembly).</summary>
public static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string Format(string name) => Path.Combine(Root, "formats", name);
    public static DataSources VocSample => new(Path.Combine(Root, "voc-sample", "VOCdevkit"), Path.Combine(Root, "voc-sample", "benchmark_RELEASE"));

    /// <summary>The label array that make_fixtures.py wrote with PIL and scipy, row-major.</summary>
    public static SegmentationMask ExpectedLabels()
    {
        var rows = File.ReadAllLines(Format("labels.txt")).Select(l => l.Split(' ').Select(byte.Parse).ToArray()).ToArray();
        return new SegmentationMask(rows[0].Length, rows.Length, rows.SelectMany(r => r).ToArray());
    }

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "segcluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
