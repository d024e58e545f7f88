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
        var random = SeededRandom.Derive(seed, "bootstrap-meaniou");
        var values = new double[replicates];
        for (var r = 0; r < replicates; r++)
        {
            var total = 0.0;
            foreach (var fold in folds)
            {
                var sums = new BinaryCounts[fold.Batches[0].Length];
                for (var i = 0; i < fold.Batches.Count; i++)
                {
                    var batch = fold.Batches[random.Next(fold.Batches.Count)];
                    for (var c = 0; c < sums.Length; c++) sums[c] += batch[c];
                }
                total += sums.Average(c => c.ForegroundIou);
            }
            values[r] = total / folds.Count;
        }
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
