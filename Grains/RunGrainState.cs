using SegCluster.Contracts;

namespace SegCluster.Grains;

/// <summary>What a run grain persists.</summary>
[GenerateSerializer]
public sealed class RunGrainState
{
    [Id(0)] public RunConfig? Config { get; set; }
    [Id(1)] public RunState State { get; set; }
    [Id(2)] public Dictionary<int, FoldStatus> Folds { get; set; } = [];
}
