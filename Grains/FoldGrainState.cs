using SegCluster.Contracts;

namespace SegCluster.Grains;

/// <summary>What a fold grain persists (ADO.NET grain storage), enough to resume after its silo dies.</summary>
[GenerateSerializer]
public sealed class FoldGrainState
{
    [Id(0)] public RunConfig? Config { get; set; }
    [Id(1)] public int Fold { get; set; }
    [Id(2)] public FoldState State { get; set; }
    [Id(4)] public string? Error { get; set; }
    [Id(5)] public double TrainSeconds { get; set; }

    /// <summary>The final checkpoint of each network the fold has trained ("oslsm", "base-classifier", "siamese").</summary>
    [Id(8)] public Dictionary<string, string> Checkpoints { get; set; } = [];
}
