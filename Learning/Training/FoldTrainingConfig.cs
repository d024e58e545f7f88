using System.Text.Json;
using SegCluster.Learning.Models;
using SegCluster.Experiment;

namespace SegCluster.Learning.Training;

/// <summary>Everything that decides a fold's training; recorded with the run and in every checkpoint.</summary>
public sealed record FoldTrainingConfig(
    int Fold,
    string Preset,
    int QuerySize,
    int SupportSize,
    int Iterations,
    int CheckpointEvery,
    int ProgressEvery,
    ulong Seed,
    TrainingOptions Training,
    string? ImageNetWeights = null,
    bool FromScratch = false,
    TrainingEvaluationOptions? Evaluation = null)
{
    public OslsmPreset ResolvedPreset =>
        ModelWeights.Layout(OslsmPreset.Named(Preset) with { QuerySize = QuerySize, SupportSize = SupportSize }, ImageNetWeights, FromScratch);

    public string ToJson() => JsonSerializer.Serialize(this);

    public void Validate()
    {
        PascalFiveI.CheckFold(Fold);
        _ = OslsmPreset.Named(Preset);
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "iterations must be at least 1");
        if (CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "checkpoint interval must be at least 1");
        if (ProgressEvery < 1) throw new ArgumentOutOfRangeException(nameof(ProgressEvery), ProgressEvery, "progress interval must be at least 1");
        if (QuerySize is < 32 or > 2048) throw new ArgumentOutOfRangeException(nameof(QuerySize), QuerySize, "query size must be 32..2048");
        if (SupportSize is < 32 or > 2048) throw new ArgumentOutOfRangeException(nameof(SupportSize), SupportSize, "support size must be 32..2048");
        if (Evaluation is { } e && (e.Every < 1 || e.Episodes < 1))
            throw new ArgumentOutOfRangeException(nameof(Evaluation), e, "evaluation needs at least 1 iteration between points and 1 episode");
    }
}

/// <summary>
/// Evaluation during training (Figure 3): every <paramref name="Every"/> iterations, and before the first and after the
/// last, OSLSM scores the same <paramref name="Episodes"/> seeded 1-shot test episodes (unseen classes) at <paramref name="Threshold"/>.
/// </summary>
public sealed record TrainingEvaluationOptions(int Every, int Episodes, double Threshold = 0.5);

/// <summary>meanIoU of the evaluation episodes with the network as trained to <paramref name="Iteration"/>.</summary>
public sealed record TrainingEvaluation(int Iteration, int Episodes, double MeanIou);

/// <summary>A progress report of a training loop.</summary>
public sealed record TrainingProgress(int Iteration, int Iterations, double Loss, double IterationsPerSecond, TimeSpan EstimatedRemaining);
