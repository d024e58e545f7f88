namespace SegCluster.Experiment;

/// <summary>
/// The stored batches of one fold for one method and shot count: Batches[b][i] holds batch b's counts of the fold's
/// i-th test class (zero where the batch had no episode of it).
/// </summary>
public sealed record FoldBatches(IReadOnlyList<BinaryCounts[]> Batches);

/// <summary>
/// Percentile bootstrap interval of meanIoU. Episodes are stored as per-batch sums, and a batch is a random draw of
/// episodes, so batches are the resampling unit: each replicate draws every fold's batches with replacement, sums
/// the counts per class, takes the fold's meanIoU, and averages the folds. Seeded, so the interval is reproducible.
/// </summary>
public static class BootstrapInterval
{
    public static (double Low, double High) MeanIou(IReadOnlyList<FoldBatches> folds, ulong seed, int replicates = 1000, double level = 0.95)
    {
        if (folds.Count == 0 || folds.Any(f => f.Batches.Count == 0)) throw new ArgumentException("every fold needs at least one batch");
        return Interval(SeededRandom.Derive(seed, "bootstrap-meaniou"), replicates, level,
            random => folds.Average(fold => MeanIouOf(fold, Draw(random, fold.Batches.Count))));
    }

    /// <summary>
    /// The interval of meanIoU(More) - meanIoU(One) over paired batches (batch b of both holds the same queries):
    /// each replicate draws one set of batch indices per fold and scores both shot counts on it.
    /// </summary>
    public static (double Low, double High) MeanIouGain(IReadOnlyList<(FoldBatches One, FoldBatches More)> folds, ulong seed, int replicates = 1000,
        double level = 0.95)
    {
        if (folds.Count == 0 || folds.Any(f => f.One.Batches.Count == 0 || f.One.Batches.Count != f.More.Batches.Count))
            throw new ArgumentException("every fold needs the same positive number of batches for both shot counts");
        return Interval(SeededRandom.Derive(seed, "bootstrap-meaniou-gain"), replicates, level, random => folds.Average(fold =>
        {
            var draw = Draw(random, fold.One.Batches.Count);
            return MeanIouOf(fold.More, draw) - MeanIouOf(fold.One, draw);
        }));
    }

    private static int[] Draw(SeededRandom random, int count)
    {
        var draw = new int[count];
        for (var i = 0; i < count; i++) draw[i] = random.Next(count);
        return draw;
    }

    private static double MeanIouOf(FoldBatches fold, int[] draw)
    {
        var sums = new BinaryCounts[fold.Batches[0].Length];
        foreach (var b in draw)
            for (var c = 0; c < sums.Length; c++) sums[c] += fold.Batches[b][c];
        return sums.Average(c => c.ForegroundIou);
    }

    private static (double Low, double High) Interval(SeededRandom random, int replicates, double level, Func<SeededRandom, double> replicate)
    {
        var values = new double[replicates];
        for (var r = 0; r < replicates; r++) values[r] = replicate(random);
        Array.Sort(values);
        var tail = (1 - level) / 2;
        return (Percentile(values, tail), Percentile(values, 1 - tail));
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
