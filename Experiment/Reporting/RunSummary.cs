using SegCluster.Contracts;
using SegCluster.Storage;

namespace SegCluster.Experiment;

/// <summary>A run as the runs list shows it: its row, and OSLSM's 1- and 5-shot meanIoU over the folds it scored.</summary>
public sealed record RunSummary(RunListRow Run, double? MeanIou1, double? MeanIou5)
{
    /// <summary>The newest runs: two queries (rows, then OSLSM's class sums of those runs), meanIoU from <see cref="FoldMeanIou"/>.</summary>
    public static async Task<IReadOnlyList<RunSummary>> ListAsync(ResultsStore store, int limit = 200, CancellationToken cancellationToken = default)
    {
        var runs = await store.ListRunsAsync(limit, cancellationToken);
        var totals = await store.ReadClassTotalsAsync([.. runs.Select(r => r.RunId)], Method.Oslsm.Name(), cancellationToken);
        RunSummary Summary(RunListRow run)
        {
            var ofRun = totals.GetValueOrDefault(run.RunId, []);
            return new RunSummary(run, MeanIou(ofRun, 1), MeanIou(ofRun, 5));
        }
        return [.. runs.Select(Summary)];
    }

    /// <summary>The mean over folds of each fold's meanIoU; null where the run has no scored batch for the shot count.</summary>
    private static double? MeanIou(IReadOnlyList<ClassTotalsRow> totals, int shots)
    {
        var folds = totals.Where(t => t.Shots == shots).GroupBy(t => t.Fold).ToList();
        if (folds.Count == 0) return null;
        return folds.Average(f => FoldMeanIou.Of(f.Key,
            f.ToDictionary(t => t.ClassId, t => new BinaryCounts(t.TruePositive, t.FalsePositive, t.FalseNegative, t.TrueNegative))));
    }
}
