namespace SegCluster.Learning.Tests;

/// <summary>Tests that read or set torch's process-wide state (live tensor counts, the default device) run alone.</summary>
[CollectionDefinition(nameof(TorchGlobalState), DisableParallelization = true)]
public sealed class TorchGlobalState;
