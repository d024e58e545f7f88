namespace SegCluster.Experiment;

/// <summary>Pixel confusion counts of a binary (class vs background) prediction; void pixels are not counted.</summary>
public readonly record struct BinaryCounts(long TruePositive, long FalsePositive, long FalseNegative, long TrueNegative)
{
    public static BinaryCounts operator +(BinaryCounts a, BinaryCounts b) => new(
        a.TruePositive + b.TruePositive, a.FalsePositive + b.FalsePositive,
        a.FalseNegative + b.FalseNegative, a.TrueNegative + b.TrueNegative);

    /// <summary>Foreground IoU tp/(tp+fp+fn); 0 where the union is empty.</summary>
    public double ForegroundIou => Ratio(TruePositive, TruePositive + FalsePositive + FalseNegative);

    /// <summary>Foreground precision tp/(tp+fp): the share of the pixels called the class that are; 0 where none is.</summary>
    public double Precision => Ratio(TruePositive, TruePositive + FalsePositive);

    /// <summary>Foreground recall tp/(tp+fn): the share of the class's pixels found; 0 where the class has none.</summary>
    public double Recall => Ratio(TruePositive, TruePositive + FalseNegative);

    /// <summary>Background IoU: the same with the roles of foreground and background swapped.</summary>
    public double BackgroundIou => Ratio(TrueNegative, TrueNegative + FalseNegative + FalsePositive);

    /// <param name="predicted">1 = foreground</param>
    /// <param name="truth">1 = foreground, 0 = background, 255 = void (ignored)</param>
    public static BinaryCounts Count(ReadOnlySpan<byte> predicted, ReadOnlySpan<byte> truth)
    {
        if (predicted.Length != truth.Length) throw new ArgumentException($"prediction has {predicted.Length} pixels, ground truth {truth.Length}");
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            var t = truth[i];
            if (t == 255) continue;
            var p = predicted[i] != 0;
            if (t != 0) { if (p) tp++; else fn++; }
            else { if (p) fp++; else tn++; }
        }
        return new BinaryCounts(tp, fp, fn, tn);
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
