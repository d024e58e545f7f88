namespace SegCluster.Experiment;

/// <summary>The 20 PASCAL VOC classes in their label order (label = index + 1), plus background and void.</summary>
public static class PascalClasses
{
    public const byte Background = 0;
    public const byte Void = 255;
    public const int Count = 20;

    public static readonly IReadOnlyList<string> Names =
    [
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    ];

    public static string Name(int label) =>
        label is >= 1 and <= Count ? Names[label - 1] : throw new ArgumentOutOfRangeException(nameof(label), label, "class labels are 1..20");

    /// <summary>The class label of a name (case-insensitive), or a clear error listing the valid names.</summary>
    public static int Label(string name)
    {
        for (var i = 0; i < Count; i++)
            if (string.Equals(Names[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) return i + 1;
        throw new ArgumentException($"unknown class name '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name));
    }

    public static bool IsValidLabel(byte value) => value <= Count || value == Void;

    /// <summary>The standard PASCAL VOC colour map (the palette of SegmentationClass PNGs).</summary>
    public static (byte R, byte G, byte B) PaletteColor(int index)
    {
        int r = 0, g = 0, b = 0, c = index;
        for (var bit = 7; bit >= 0; bit--, c >>= 3)
        {
            r |= (c & 1) << bit;
            g |= ((c >> 1) & 1) << bit;
            b |= ((c >> 2) & 1) << bit;
        }
        return ((byte)r, (byte)g, (byte)b);
    }
}
