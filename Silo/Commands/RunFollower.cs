using SegCluster.Contracts;
using Spectre.Console;

namespace SegCluster.Silo.Commands;

/// <summary>Follows a run with one progress bar per fold (training, then evaluation) until it finishes.</summary>
public static class RunFollower
{
    public static async Task<RunStatus> FollowAsync(IClusterClient client, string runId, CancellationToken cancel)
    {
        var status = await StatusAsync(client.GetGrain<IRunGrain>(runId), cancel);
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await FollowPlainAsync(client, runId, cancel);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = status.Folds.ToDictionary(f => f.Fold, f => context.AddTask($"fold {f.Fold}", maxValue: 1));
                await foreach (var pushed in WatchAsync(client, runId, cancel))
                {
                    status = pushed;
                    foreach (var fold in status.Folds)
                    {
                        var bar = bars[fold.Fold];
                        bar.Description = Markup.Escape(Describe(fold));
                        bar.Value = Fraction(fold);
                    }
                }
            });
        return status;
    }

    /// <summary>Without a terminal (CI, pipes): one line per fold whenever its phase changes, and every 10%.</summary>
    private static async Task<RunStatus> FollowPlainAsync(IClusterClient client, string runId, CancellationToken cancel)
    {
        var printed = new Dictionary<int, string>();
        RunStatus? last = null;
        await foreach (var status in WatchAsync(client, runId, cancel))
        {
            last = status;
            foreach (var fold in status.Folds)
            {
                var line = $"{fold.State} {(int)(Fraction(fold) * 10) * 10}%";
                if (printed.GetValueOrDefault(fold.Fold) == line) continue;
                printed[fold.Fold] = line;
                Console.WriteLine(Describe(fold));
            }
        }
        return last!;
    }

    /// <summary>
    /// The run's statuses as the run grain pushes them (a grain observer), until it finishes. The subscription is
    /// renewed before it lapses; when no push arrives for a few seconds (the run grain is moving to another silo),
    /// the status is asked for and the subscription made anew.
    /// </summary>
    public static async IAsyncEnumerable<RunStatus> WatchAsync(IClusterClient client, string runId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
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
                    status = await StatusAsync(run, cancel);
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

    /// <summary>The run's status; while a silo (or the gateway) is being replaced, asks again.</summary>
    public static async Task<RunStatus> StatusAsync(IRunGrain run, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await run.GetStatusAsync(); }
            catch (Exception e) when (attempt < 60 && e is OrleansException or TimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            }
        }
    }

    private static double Fraction(FoldStatus fold) => fold.State switch
    {
        "training" => 0.6 * fold.Iteration / Math.Max(1, fold.Iterations),
        "training-base" => 0.6 + 0.1 * fold.Iteration / Math.Max(1, fold.Iterations),
        "training-siamese" => 0.7 + 0.1 * fold.Iteration / Math.Max(1, fold.Iterations),
        "evaluating" => 0.8 + 0.2 * fold.BatchesDone / Math.Max(1, fold.BatchesTotal),
        "done" or "failed" or "cancelled" => 1,
        _ => 0,
    };

    private static string Describe(FoldStatus fold) => fold.State switch
    {
        "training" => $"fold {fold.Fold} training {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s on {fold.Silo} {fold.Device}",
        "training-siamese" => $"fold {fold.Fold} training the Siamese network {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s",
        "training-base" => $"fold {fold.Fold} training the base classifier {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s",
        "evaluating" => $"fold {fold.Fold} evaluating {fold.BatchesDone}/{fold.BatchesTotal} batches",
        "failed" => $"fold {fold.Fold} failed: {fold.Error}",
        _ => $"fold {fold.Fold} {fold.State}",
    };
}
