using SegCluster.Contracts;

namespace SegCluster.Grains;

/// <summary>What a fold grain persists (ADO.NET grain storage), enough to resume after its silo dies.</summary>
[GenerateSerializer]
public sealed class FoldState
{
    [Id(0)] public RunConfig? Config { get; set; }
    [Id(1)] public int Fold { get; set; }
    [Id(2)] public string State { get; set; } = "queued";
    [Id(3)] public string? Checkpoint { get; set; }
    [Id(4)] public string? Error { get; set; }
    [Id(5)] public double TrainSeconds { get; set; }
    [Id(6)] public string? BaseCheckpoint { get; set; }
    [Id(7)] public string? SiameseCheckpoint { get; set; }
}
