namespace SegCluster.Contracts;

/// <summary>
/// One fold of a run (key: "runId/fold"): trains on a device slot of its silo, then has its episodes scored
/// across the cluster. Placed on a silo with a free device slot; re-activated elsewhere if its silo dies.
/// </summary>
public interface IFoldGrain : IGrainWithStringKey
{
    Task StartAsync(RunConfig config, int fold);

    /// <summary>Current status; also wakes a fold whose silo died, so it resumes from its last checkpoint.</summary>
    Task<FoldStatus> GetStatusAsync();

    Task CancelAsync();
}
