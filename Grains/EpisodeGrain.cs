using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Evaluation;
using SegCluster.Storage;

namespace SegCluster.Grains;

/// <summary>
/// Scores one batch of episodes with one method, on a torch worker of whichever silo Orleans placed it on, and
/// stores the batch under its key in one transaction. A retried call (the caller's silo died, a timeout) returns
/// the stored result, so nothing is counted twice.
/// </summary>
public sealed class EpisodeGrain(ILocalSiloDetails silo, ResultsStore results, DataCatalogCache data, SolverFactory solvers, TorchWorkers workers)
    : Grain, IEpisodeGrain
{
    public async Task<EpisodeBatchResult> ScoreAsync(EpisodeBatchRequest request)
    {
        var key = new BatchKey(request.Config.RunId, request.Fold, request.Method.Name(), request.Shots, request.Batch, request.ClassSet.Name(), request.TestSeed);
        if (await results.ReadBatchAsync(key) is { } stored) return ToResult(stored, fromStore: true);

        var row = await workers.RunAsync(() => Score(request, key));
        if (!await results.SaveBatchAsync(row))
            row = await results.ReadBatchAsync(key) ?? row;   // stored meanwhile by a concurrent retry
        return ToResult(row, fromStore: false);
    }

    private BatchRow Score(EpisodeBatchRequest request, BatchKey key)
    {
        var split = data.Split(request.Config, request.Fold);
        var solver = solvers.Create(request.Method, request.Config, request.Fold, request.Checkpoint);
        var episodes = request.Episodes.Select(e => new Episode(e.QueryId, e.ClassId, e.SupportIds, e.SupportClassId)).ToList();
        // The gallery shows the first episode of each held-out class in batch 0 of every (fold, method, shots) of test seed 0.
        var rendered = new HashSet<int>();
        var images = (request.ClassSet == ClassSet.Seen ? split.Seen : split.Test).ToDictionary(i => i.Id);
        var evaluation = EpisodeEvaluator.Score(solver, episodes, images,
            render: e => request.ClassSet == ClassSet.Unseen && request.TestSeed == 0 && request.Batch == 0 && rendered.Add(e.ClassId));
        var classes = evaluation.Scores.GroupBy(s => s.ClassId).OrderBy(g => g.Key).Select(g => new ClassCountsRow(g.Key, g.Count(),
            g.Sum(s => s.Counts.TruePositive), g.Sum(s => s.Counts.FalsePositive), g.Sum(s => s.Counts.FalseNegative), g.Sum(s => s.Counts.TrueNegative)))
            .ToList();
        var samples = evaluation.Samples.Select(s => new GallerySampleRow(s.Episode.ClassId, s.Episode.QueryId, s.Episode.SupportIds, s.Iou, s.Png)).ToList();
        return new BatchRow(key, classes, [.. evaluation.Seconds], silo.SiloAddress.ToParsableString(), samples, TorchDevices.Describe(solver.Device));
    }

    private static EpisodeBatchResult ToResult(BatchRow row, bool fromStore) => new(
        row.Classes.Select(c => new ClassCounts(c.ClassId, c.Episodes, c.TruePositive, c.FalsePositive, c.FalseNegative, c.TrueNegative)).ToArray(),
        [.. row.EpisodeSeconds], row.Silo ?? "", fromStore);
}
