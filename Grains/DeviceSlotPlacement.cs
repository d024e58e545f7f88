using Orleans.Placement;

namespace SegCluster.Grains;

/// <summary>Places a grain on a silo with a free device slot (see the silo's DeviceSlotPlacementDirector).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class DeviceSlotPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class DeviceSlotPlacementAttribute() : PlacementAttribute(new DeviceSlotPlacement());
