namespace SegCluster.Learning.Tests;

/// <summary>Tests that read torch's process-wide state (live tensor counts) run alone.</summary>
[CollectionDefinition(nameof(TorchGlobalState), DisableParallelization = true)]
public sealed class TorchGlobalState;
