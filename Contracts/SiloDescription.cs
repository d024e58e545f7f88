namespace SegCluster.Contracts;

/// <summary>What a silo reports about itself: identity, devices, and a torch computation it just ran.</summary>
[GenerateSerializer, Immutable]
public sealed record SiloDescription(
    [property: Id(0)] string SiloName,
    [property: Id(1)] string Address,
    [property: Id(2)] int ProcessId,
    [property: Id(3)] IReadOnlyList<string> Devices,
    [property: Id(4)] string TorchBackend,
    [property: Id(5)] double TorchCheckSum);
