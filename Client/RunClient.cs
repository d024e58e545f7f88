using SegCluster.Contracts;

namespace SegCluster.Client;

/// <summary>
/// Starting, following and cancelling runs through a cluster client, as the CLI, the dashboard and the tests do:
/// calls lost to a dying gateway or silo are sent again (the run grain's start and cancel are idempotent).
/// </summary>
public sealed class RunClient(IClusterClient client)
{
    /// <summary>Starts a run; <paramref name="group"/> names the group of runs trained under several seeds it belongs to (null: none).</summary>
    public async Task StartAsync(RunConfig config, CancellationToken cancel = default, string? group = null) =>
        await RetryAsync(() => client.GetGrain<IRunGrain>(config.RunId).StartAsync(config, group), attempts: 6, cancel);

    public async Task CancelAsync(string runId, CancellationToken cancel = default) =>
        await RetryAsync(() => client.GetGrain<IRunGrain>(runId).CancelAsync(), attempts: 6, cancel);

    /// <summary>The run's status; while a silo (or the gateway) is being replaced, asks again for up to a minute.</summary>
    public async Task<RunStatus> StatusAsync(string runId, CancellationToken cancel = default)
    {
        var run = client.GetGrain<IRunGrain>(runId);
        for (var attempt = 1; ; attempt++)
        {
            try { return await run.GetStatusAsync(); }
            catch (Exception e) when (attempt < 60 && e is OrleansException or TimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            }
        }
    }

    /// <summary>Follows the run until it finishes and returns its final status.</summary>
    public async Task<RunStatus> WaitAsync(string runId, CancellationToken cancel = default)
    {
        RunStatus? last = null;
        await foreach (var status in WatchAsync(runId, cancel)) last = status;
        return last!;
    }

    /// <summary>
    /// The run's statuses as the run grain pushes them (a grain observer), until it finishes. The subscription is
    /// renewed before it lapses; when no push arrives for a few seconds (the run grain is moving to another silo),
    /// the status is asked for and the subscription made anew.
    /// </summary>
    public async IAsyncEnumerable<RunStatus> WatchAsync(string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        var run = client.GetGrain<IRunGrain>(runId);
        var observer = new StatusObserver();
        var reference = client.CreateObjectReference<IRunObserver>(observer);
        var subscribed = DateTime.MinValue;
        try
        {
            while (true)
            {
                if (DateTime.UtcNow - subscribed > TimeSpan.FromSeconds(20))
                {
                    try
                    {
                        await run.SubscribeAsync(reference);
                        subscribed = DateTime.UtcNow;
                    }
                    catch (Exception e) when (e is OrleansException or TimeoutException) { }
                }
                var status = await observer.NextAsync(TimeSpan.FromSeconds(5), cancel);
                if (status is null)
                {
                    status = await StatusAsync(runId, cancel);
                    subscribed = DateTime.MinValue;
                }
                yield return status;
                if (status.IsFinished) yield break;
            }
        }
        finally
        {
            client.DeleteObjectReference<IRunObserver>(reference);
        }
    }

    /// <summary>Waits until the cluster has <paramref name="count"/> active silos; <paramref name="check"/> may throw to give up early.</summary>
    public async Task WaitForSilosAsync(int count, CancellationToken cancel, Action? check = null)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while ((await management.GetHosts(onlyActive: true)).Count < count)
        {
            check?.Invoke();
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"fewer than {count} silos became active within 2 minutes");
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
        }
    }

    private static async Task RetryAsync(Func<Task> call, int attempts, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when (attempt < attempts && e is OrleansException or TimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancel);
            }
        }
    }

    /// <summary>Receives pushed statuses; the follower takes the newest.</summary>
    private sealed class StatusObserver : IRunObserver
    {
        private readonly SemaphoreSlim changed = new(0, 1);
        private RunStatus? latest;

        public void OnStatus(RunStatus status)
        {
            Volatile.Write(ref latest, status);
            try { changed.Release(); } catch (SemaphoreFullException) { }
        }

        /// <summary>The newest pushed status, or null when none came within the timeout.</summary>
        public async Task<RunStatus?> NextAsync(TimeSpan timeout, CancellationToken cancel) =>
            await changed.WaitAsync(timeout, cancel) ? Volatile.Read(ref latest) : null;
    }
}
