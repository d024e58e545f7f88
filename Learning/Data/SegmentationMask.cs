using SegCluster.Experiment;
namespace SegCluster.Learning.Data;

/// <summary>A label map in row-major order: 0 background, 1..20 classes, 255 void.</summary>
public sealed record SegmentationMask(int Width, int Height, byte[] Labels)
{
    public byte this[int x, int y] => Labels[y * Width + x];

    /// <summary>The class labels (1..20) with at least one pixel.</summary>
    public IReadOnlyList<int> ClassesPresent()
    {
        Span<bool> seen = stackalloc bool[256];
        foreach (var v in Labels) seen[v] = true;
        var classes = new List<int>();
        for (var c = 1; c <= PascalClasses.Count; c++) if (seen[c]) classes.Add(c);
        return classes;
    }

    /// <summary>The mask with class <paramref name="from"/>'s pixels labelled <paramref name="to"/>, and <paramref name="to"/>'s own background.</summary>
    public SegmentationMask Relabelled(int from, int to) => this with
    {
        Labels = [.. Labels.Select(v => v == from ? (byte)to : v == to ? (byte)0 : v)],
    };

    /// <summary>Pixel count of every class label 1..20 (index = label).</summary>
    public long[] PixelCounts()
    {
        var counts = new long[PascalClasses.Count + 1];
        foreach (var v in Labels) if (v is >= 1 and <= PascalClasses.Count) counts[v]++;
        return counts;
    }

    /// <summary>
    /// Per class label 1..20, how many points of a grid of this stride fall on it. The grid is the one the authors'
    /// pair loader samples (`util.change_coordinates(mask, 32, 0)`: pad by 15, nearest-neighbour resize), whose points
    /// are pixels stride*i + 1 of each axis.
    /// </summary>
    public long[] GridCounts(int stride)
    {
        var counts = new long[PascalClasses.Count + 1];
        for (var y = 1; y < Height; y += stride)
            for (var x = 1; x < Width; x += stride)
                if (this[x, y] is var v and >= 1 and <= PascalClasses.Count) counts[v]++;
        return counts;
    }

    /// <summary>Checks every value is 0..20 or 255; names the file otherwise.</summary>
    public SegmentationMask Validated(string path)
    {
        for (var i = 0; i < Labels.Length; i++)
            if (!PascalClasses.IsValidLabel(Labels[i]))
                throw new DataFileException(path, $"label value {Labels[i]} at pixel ({i % Width}, {i / Width}) is outside 0..20 and 255");
        return this;
    }
}
