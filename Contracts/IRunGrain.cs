namespace SegCluster.Contracts;

/// <summary>One run (key: run id): starts its folds, follows them, and survives the loss of its silo.</summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates and starts the run, one of a group of runs trained under several seeds where <paramref name="group"/>
    /// names one; a second call with the same config is a no-op.
    /// </summary>
    Task StartAsync(RunConfig config, string? group);

    Task<RunStatus> GetStatusAsync();

    Task CancelAsync();

    /// <summary>
    /// Pushes the run's status to the observer every time it is refreshed, until unsubscribed. A subscription lapses
    /// after a minute unless renewed (subscribing again), so a client that vanished costs nothing.
    /// </summary>
    Task SubscribeAsync(IRunObserver observer);

    Task UnsubscribeAsync(IRunObserver observer);

    /// <summary>Called by a fold grain when its fold has finished (done, failed or cancelled).</summary>
    Task FoldFinishedAsync(FoldStatus status);
}
