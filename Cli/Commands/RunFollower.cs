using SegCluster.Client;
using SegCluster.Contracts;
using Spectre.Console;

namespace SegCluster.Cli.Commands;

/// <summary>Follows a run with one progress bar per fold (training, then evaluation) until it finishes.</summary>
public static class RunFollower
{
    public static async Task<RunStatus> FollowAsync(IClusterClient client, string runId, CancellationToken cancel)
    {
        var runs = new RunClient(client);
        var status = await runs.StatusAsync(runId, cancel);
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await FollowPlainAsync(runs, runId, cancel);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bars = status.Folds.ToDictionary(f => f.Fold, f => context.AddTask($"fold {f.Fold}", maxValue: 1));
                await foreach (var pushed in runs.WatchAsync(runId, cancel))
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
    private static async Task<RunStatus> FollowPlainAsync(RunClient runs, string runId, CancellationToken cancel)
    {
        var printed = new Dictionary<int, string>();
        RunStatus? last = null;
        await foreach (var status in runs.WatchAsync(runId, cancel))
        {
            last = status;
            foreach (var fold in status.Folds)
            {
                var line = $"{fold.State.Name()} {(int)(Fraction(fold) * 10) * 10}%";
                if (printed.GetValueOrDefault(fold.Fold) == line) continue;
                printed[fold.Fold] = line;
                Console.WriteLine(Describe(fold));
            }
        }
        return last!;
    }

    private static double Fraction(FoldStatus fold) => fold.State switch
    {
        FoldState.Training => 0.6 * fold.Iteration / Math.Max(1, fold.Iterations),
        FoldState.TrainingBase => 0.6 + 0.1 * fold.Iteration / Math.Max(1, fold.Iterations),
        FoldState.TrainingSiamese => 0.7 + 0.1 * fold.Iteration / Math.Max(1, fold.Iterations),
        FoldState.Evaluating => 0.8 + 0.2 * fold.BatchesDone / Math.Max(1, fold.BatchesTotal),
        _ when fold.IsFinished => 1,
        _ => 0,
    };

    private static string Describe(FoldStatus fold) => fold.State switch
    {
        FoldState.Training => $"fold {fold.Fold} training {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s on {fold.Silo} {fold.Device}",
        FoldState.TrainingSiamese => $"fold {fold.Fold} training the Siamese network {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s",
        FoldState.TrainingBase => $"fold {fold.Fold} training the base classifier {fold.Iteration}/{fold.Iterations} loss {fold.Loss:F3} {fold.IterationsPerSecond:F1} it/s",
        FoldState.Evaluating => $"fold {fold.Fold} evaluating {fold.BatchesDone}/{fold.BatchesTotal} batches",
        FoldState.Failed => $"fold {fold.Fold} failed: {fold.Error}",
        _ => $"fold {fold.Fold} {fold.State.Name()}",
    };
}
