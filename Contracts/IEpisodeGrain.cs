namespace SegCluster.Contracts;

/// <summary>
/// Scores one batch of episodes (key: "runId/fold/method/shots/batch") wherever Orleans places it. The result is
/// stored under that key; a retry returns the stored result instead of counting the batch again.
/// </summary>
public interface IEpisodeGrain : IGrainWithStringKey
{
    Task<EpisodeBatchResult> ScoreAsync(EpisodeBatchRequest request);
}
