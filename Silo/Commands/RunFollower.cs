using SegCluster.Contracts;
using Spectre.Console;

namespace SegCluster.Silo.Commands;

/// <summary>Follows a run with one progress bar per fold (training, then evaluation) until it finishes.</summary>
public static class RunFollower
{
    public static async Task<RunStatus> FollowAsync(IClusterClient client, string runId, CancellationToken cancel)
    {
        var run = client.GetGrain<IRunGrain>(runId);
        var status = await StatusAsync(run, cancel);
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await FollowPlainAsync(run, cancel);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = status.Folds.ToDictionary(f => f.Fold, f => context.AddTask($"fold {f.Fold}", maxValue: 1));
                while (true)
                {
                    status = await StatusAsync(run, cancel);
                    foreach (var fold in status.Folds)
                    {
                        var bar = bars[fold.Fold];
                        bar.Description = Markup.Escape(Describe(fold));
                        bar.Value = Fraction(fold);
                    }
                    if (status.IsFinished) break;
                    await Task.Delay(TimeSpan.FromSeconds(1), cancel);
                }
            });
        return status;
    }

    /// <summary>Without a terminal (CI, pipes): one line per fold whenever its phase changes, and every 10%.</summary>
    private static async Task<RunStatus> FollowPlainAsync(IRunGrain run, CancellationToken cancel)
    {
        var printed = new Dictionary<int, string>();
        while (true)
        {
            var status = await StatusAsync(run, cancel);
            foreach (var fold in status.Folds)
            {
                var line = $"{fold.State} {(int)(Fraction(fold) * 10) * 10}%";
                if (printed.GetValueOrDefault(fold.Fold) == line) continue;
                printed[fold.Fold] = line;
                Console.WriteLine(Describe(fold));
            }
            if (status.IsFinished) return status;
            await Task.Delay(TimeSpan.FromSeconds(1), cancel);
        }
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
        "training" => 0.8 * fold.Iteration / Math.Max(1, fold.Iterations),
        "evaluating" => 0.8 + 0.2 * fold.BatchesDone / Math.Max(1, fold.BatchesTotal),
        "done" or "failed" or "cancelled" => 1,
        _ => 0,
    };

    private static string Describe(FoldStatus fold) => fold.State switch
    {
        "training" => $"fold {fold.Fold} training {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s on {fold.Silo} {fold.Device}",
        "evaluating" => $"fold {fold.Fold} evaluating {fold.BatchesDone}/{fold.BatchesTotal} batches",
        "failed" => $"fold {fold.Fold} failed: {fold.Error}",
        _ => $"fold {fold.Fold} {fold.State}",
    };
}
