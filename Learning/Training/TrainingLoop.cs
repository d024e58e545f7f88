using System.Diagnostics;

namespace SegCluster.Learning.Training;

/// <summary>
/// The loop both trainers share: steps from the resume point, progress every N iterations, a checkpoint every M
/// and at the end. Runs on the calling thread; each step owns its dispose scope.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>One step: its loss and the sampler state after it (saved with a checkpoint, so a resume continues the stream).</summary>
    public delegate (double Loss, ulong[] SamplerStateAfter) Step(CancellationToken cancellationToken);

    /// <summary>Writes the checkpoint of an iteration to the path.</summary>
    public delegate CheckpointInfo Save(string path, int iteration, ulong[] samplerState);

    /// <summary>Scores the network as trained to an iteration (evaluation during training).</summary>
    public delegate TrainingEvaluation Evaluate(int iteration);

    /// <param name="evaluate">With <paramref name="evaluateEvery"/>: called before the first iteration of a fresh start, every N and after the last,
    /// before that iteration's checkpoint (a checkpoint's record follows its points).</param>
    /// <returns>The path of the last checkpoint written.</returns>
    public static string Run(int start, int iterations, int progressEvery, int checkpointEvery, CheckpointStore store, Step step, Save save,
        Action<CheckpointInfo>? written, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken,
        Evaluate? evaluate = null, int evaluateEvery = 0, Action<TrainingEvaluation>? evaluated = null)
    {
        if (evaluate is not null && start == 0) evaluated?.Invoke(evaluate(0));
        var clock = Stopwatch.StartNew();
        var lossSum = 0.0;
        var lossCount = 0;
        var lastPath = "";
        for (var iteration = start + 1; iteration <= iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (loss, samplerState) = step(cancellationToken);
            lossSum += loss;
            lossCount++;
            if (iteration % progressEvery == 0 || iteration == iterations)
            {
                var rate = (iteration - start) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                progress?.Report(new TrainingProgress(iteration, iterations, lossSum / lossCount, rate,
                    TimeSpan.FromSeconds((iterations - iteration) / Math.Max(rate, 1e-9))));
                lossSum = 0;
                lossCount = 0;
            }
            if (evaluate is not null && (iteration % evaluateEvery == 0 || iteration == iterations)) evaluated?.Invoke(evaluate(iteration));
            if (iteration % checkpointEvery == 0 || iteration == iterations)
            {
                lastPath = store.PathFor(iteration);
                Directory.CreateDirectory(store.Directory);
                var checkpoint = save(lastPath, iteration, samplerState);
                store.Prune();
                written?.Invoke(checkpoint);
            }
        }
        return lastPath;
    }
}
