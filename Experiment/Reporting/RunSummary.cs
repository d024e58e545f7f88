using SegCluster.Storage;

namespace SegCluster.Experiment;

/// <summary>A run as the runs list shows it: its row, and OSLSM's 1- and 5-shot meanIoU over the folds it scored.</summary>
public sealed record RunSummary(RunListRow Run, double? MeanIou1, double? MeanIou5)
{
    /// <summary>The newest runs: two queries (rows, then OSLSM's class sums of those runs), meanIoU from <see cref="FoldMeanIou"/>.</summary>
    public static async Task<IReadOnlyList<RunSummary>> ListAsync(ResultsStore store, int limit = 200, CancellationToken cancellationToken = default)
    {
        var runs = await store.ListRunsAsync(limit, cancellationToken);
        var sums = await store.ReadClassSumsAsync([.. runs.Select(r => r.RunId)], MethodCatalog.Oslsm, cancellationToken);
        var byRun = sums.ToLookup(s => s.RunId);
        return [.. runs.Select(run => new RunSummary(run, MeanIou(byRun[run.RunId], 1), MeanIou(byRun[run.RunId], 5)))];
    }

    /// <summary>The mean over folds of each fold's meanIoU; null where the run has no scored batch for the shot count.</summary>
    private static double? MeanIou(IEnumerable<RunClassSumRow> sums, int shots)
    {
        var folds = sums.Where(s => s.Shots == shots).GroupBy(s => s.Fold).ToList();
        if (folds.Count == 0) return null;
        return folds.Average(f => FoldMeanIou.Of(f.Key, f.ToDictionary(s => s.Counts.ClassId, s => RunReport.Counts(s.Counts))));
    }
}
