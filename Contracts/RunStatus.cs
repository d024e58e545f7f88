namespace SegCluster.Contracts;

/// <summary>A run and its folds.</summary>
[GenerateSerializer, Immutable]
public sealed record RunStatus(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunState State,
    [property: Id(2)] IReadOnlyList<FoldStatus> Folds,
    [property: Id(3)] string? Error)
{
    public bool IsFinished => State.IsFinished();
}
