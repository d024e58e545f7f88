using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;

namespace SegCluster.Tests;

/// <summary>The tests' small runs: a generated data set and runs on it that train and score in seconds.</summary>
public static class SmallRuns
{
    /// <summary>200 generated 48-pixel images under <paramref name="dataRoot"/>/generated (seed 4).</summary>
    public static SyntheticPascal.Layout GenerateData(string dataRoot) =>
        SyntheticPascal.Generate(Path.Combine(dataRoot, "generated"), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 4));

    /// <summary>Tiny preset, 48-pixel inputs, 1-shot, OSLSM and a trivial reference, Adam on the mean loss.</summary>
    public static RunConfig On(SyntheticPascal.Layout data, string runId, int[] folds, int iterations = 40, int episodes = 30) => RunSettings.PaperProtocol with
    {
        RunId = runId, Folds = folds, Shots = [1], Methods = [Method.Oslsm, Method.AllForeground], Preset = "tiny", QuerySize = 48, SupportSize = 48,
        Voc = Path.GetDirectoryName(data.Voc)!, Sbd = Path.GetDirectoryName(data.Sbd)!, Iterations = iterations,
        CheckpointEvery = Math.Max(1, iterations / 4), ProgressEvery = 10, Episodes = episodes, BatchSize = 7, LearningRate = 1e-3,
        ConditioningLearningRateMultiplier = 1, Loss = LossReduction.Mean, Optimizer = Optimizer.Adam,
    };
}
