namespace SegCluster.Contracts;

/// <summary>Where a fold stands; sent to clients for live progress.</summary>
[GenerateSerializer, Immutable]
public sealed record FoldStatus(
    [property: Id(0)] int Fold,
    [property: Id(1)] FoldState State,
    [property: Id(2)] int Iteration,
    [property: Id(3)] int Iterations,
    [property: Id(4)] double Loss,
    [property: Id(5)] double IterationsPerSecond,
    [property: Id(6)] double SecondsRemaining,
    [property: Id(7)] int BatchesDone,
    [property: Id(8)] int BatchesTotal,
    [property: Id(9)] string? Silo,
    [property: Id(10)] string? Device,
    [property: Id(11)] string? Error,
    [property: Id(12)] string? TrainingDevice = null)   // where the training tensors are: "cpu", "cuda:0 (NVIDIA H200)" 
{
    public bool IsFinished => State.IsFinished();
}
