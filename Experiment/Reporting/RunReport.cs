using SegCluster.Storage;

namespace SegCluster.Experiment;

/// <summary>The scores of one method on one fold with k shots; Low..High is meanIoU's 95% bootstrap interval.</summary>
public sealed record FoldScore(int Fold, string Method, int Shots, int Episodes, IReadOnlyDictionary<int, double> ClassIou, double MeanIou,
    double FbIou, double Low, double High);

/// <summary>One method's meanIoU averaged over the run's folds, with its 95% bootstrap interval.</summary>
public sealed record MethodMean(string Method, int Shots, int Folds, double MeanIou, double Low, double High);

/// <summary>
/// A run's Table 1 and Table 2, computed from the stored batch sums: per-class IoU = tp/(tp+fp+fn) over all
/// episodes of the class, meanIoU over the fold's five test classes, FB-IoU, and bootstrap intervals over batches;
/// and the devices its folds trained and its batches scored on, as their tensors reported them.
/// </summary>
public sealed record RunReport(string RunId, IReadOnlyList<FoldRow> Folds, IReadOnlyList<FoldScore> Scores, IReadOnlyList<MethodMean> Means,
    IReadOnlyList<TimingRow> Timings, IReadOnlyList<ScoringDeviceRow> ScoringDevices)
{
    /// <summary>Intervals are reproducible: the bootstrap draws from this fixed seed.</summary>
    public const ulong BootstrapSeed = 1;

    public static async Task<RunReport> LoadAsync(ResultsStore store, string runId, CancellationToken cancellationToken = default)
    {
        var folds = await store.ReadFoldsAsync(runId, cancellationToken);
        var batches = await store.ReadBatchClassCountsAsync(runId, cancellationToken);
        var timings = await store.ReadTimingsAsync(runId, cancellationToken);
        var scoringDevices = await store.ReadScoringDevicesAsync(runId, cancellationToken);
        var perFold = batches.GroupBy(b => (b.Fold, b.Method, b.Shots)).ToDictionary(g => g.Key, g => ToFoldBatches(g.Key.Fold, g.ToList()));
        var scores = batches.GroupBy(b => (b.Fold, b.Method, b.Shots)).Select(g =>
        {
            var counts = g.GroupBy(b => b.Counts.ClassId).ToDictionary(c => c.Key, c => c.Select(b => Counts(b.Counts)).Aggregate((a, b) => a + b));
            var total = counts.Values.Aggregate(default(BinaryCounts), (a, b) => a + b);
            var (low, high) = BootstrapInterval.MeanIou([perFold[g.Key]], BootstrapSeed);
            return new FoldScore(g.Key.Fold, g.Key.Method, g.Key.Shots, g.Select(b => b.Counts).Sum(c => c.Episodes),
                counts.ToDictionary(c => c.Key, c => c.Value.ForegroundIou),
                FoldMeanIou.Of(g.Key.Fold, counts),
                (total.ForegroundIou + total.BackgroundIou) / 2, low, high);
        }).OrderBy(s => s.Method).ThenBy(s => s.Shots).ThenBy(s => s.Fold).ToList();
        var means = scores.GroupBy(s => (s.Method, s.Shots)).Select(g =>
        {
            var (low, high) = BootstrapInterval.MeanIou([.. g.Select(s => perFold[(s.Fold, s.Method, s.Shots)])], BootstrapSeed);
            return new MethodMean(g.Key.Method, g.Key.Shots, g.Count(), g.Average(s => s.MeanIou), low, high);
        }).ToList();
        return new RunReport(runId, folds, scores, means, timings, scoringDevices);
    }

    public MethodMean? MeanOf(string method, int shots) => Means.FirstOrDefault(m => m.Method == method && m.Shots == shots);

    private static BinaryCounts Counts(ClassCountsRow c) => new(c.TruePositive, c.FalsePositive, c.FalseNegative, c.TrueNegative);

    private static FoldBatches ToFoldBatches(int fold, IReadOnlyList<BatchClassRow> rows)
    {
        var classes = PascalFiveI.TestClassesOf(fold).ToList();
        return new FoldBatches([.. rows.GroupBy(r => r.Batch).Select(b =>
        {
            var counts = new BinaryCounts[classes.Count];
            foreach (var r in b)
                if (classes.IndexOf(r.Counts.ClassId) is var i and >= 0) counts[i] = Counts(r.Counts);
            return counts;
        })]);
    }
}
