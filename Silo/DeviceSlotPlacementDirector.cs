using Orleans.Runtime.Placement;
using SegCluster.Storage;

namespace SegCluster.Silo;

/// <summary>
/// Places fold grains on a silo with a free device slot, claiming the slot for the fold in the same statement
/// (device_slots in PostgreSQL, joined with Orleans' membership so dead silos' slots do not count), so folds
/// placed at the same moment never share a device. With no free slot anywhere, it spreads folds by key over the
/// compatible silos; such a fold waits for a slot there, or gives up and is placed anew on its next call.
/// </summary>
public sealed class DeviceSlotPlacementDirector(DeviceSlots slots) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (compatible.Length == 0) throw new InvalidOperationException($"no compatible silo for {target.GrainIdentity}");
        var byName = compatible.ToDictionary(s => s.ToParsableString());
        if (await slots.PlaceAsync(target.GrainIdentity.Key.ToString()!, [.. byName.Keys]) is { } placed && byName.TryGetValue(placed, out var silo))
            return silo;
        var ordered = compatible.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        return ordered[target.GrainIdentity.GetUniformHashCode() % (uint)ordered.Length];
    }
}
