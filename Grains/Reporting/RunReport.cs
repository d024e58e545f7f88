using SegCluster.Learning.Metrics;
using SegCluster.Storage;

namespace SegCluster.Grains.Reporting;

/// <summary>The scores of one method on one fold with k shots.</summary>
public sealed record FoldScore(int Fold, string Method, int Shots, int Episodes, IReadOnlyDictionary<int, double> ClassIou, double MeanIou, double FbIou);

/// <summary>
/// A run's Table 1 and Table 2, computed from the stored batch sums (one aggregate query each): per-class IoU
/// = tp/(tp+fp+fn) over all episodes of the class, meanIoU over the fold's five test classes, FB-IoU.
/// </summary>
public sealed record RunReport(string RunId, IReadOnlyList<FoldRow> Folds, IReadOnlyList<FoldScore> Scores, IReadOnlyList<TimingRow> Timings)
{
    public static async Task<RunReport> LoadAsync(ResultsStore store, string runId, CancellationToken cancellationToken = default)
    {
        var folds = await store.ReadFoldsAsync(runId, cancellationToken);
        var totals = await store.ReadClassTotalsAsync(runId, cancellationToken);
        var timings = await store.ReadTimingsAsync(runId, cancellationToken);
        var scores = totals.GroupBy(t => (t.Fold, t.Method, t.Shots)).Select(g =>
        {
            var counts = g.ToDictionary(t => t.ClassId, t => new BinaryCounts(t.TruePositive, t.FalsePositive, t.FalseNegative, t.TrueNegative));
            var testClasses = Learning.Data.FoldSplit.TestClassesOf(g.Key.Fold);
            var total = counts.Values.Aggregate(default(BinaryCounts), (a, b) => a + b);
            return new FoldScore(g.Key.Fold, g.Key.Method, g.Key.Shots, g.Sum(t => t.Episodes),
                counts.ToDictionary(c => c.Key, c => c.Value.ForegroundIou),
                testClasses.Average(c => counts.TryGetValue(c, out var b) ? b.ForegroundIou : 0),
                (total.ForegroundIou + total.BackgroundIou) / 2);
        }).OrderBy(s => s.Method).ThenBy(s => s.Shots).ThenBy(s => s.Fold).ToList();
        return new RunReport(runId, folds, scores, timings);
    }

    public IEnumerable<(string Method, int Shots)> MethodsAndShots => Scores.Select(s => (s.Method, s.Shots)).Distinct();

    public double? MeanOverFolds(string method, int shots)
    {
        var rows = Scores.Where(s => s.Method == method && s.Shots == shots).ToList();
        return rows.Count == 0 ? null : rows.Average(s => s.MeanIou);
    }
}
