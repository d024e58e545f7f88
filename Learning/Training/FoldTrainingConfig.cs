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
    bool FromScratch = false)
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
    }
}

/// <summary>A progress report of a training loop.</summary>
public sealed record TrainingProgress(int Iteration, int Iterations, double Loss, double IterationsPerSecond, TimeSpan EstimatedRemaining);
