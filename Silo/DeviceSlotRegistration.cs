using Microsoft.Extensions.Options;
using SegCluster.Grains;
using SegCluster.Storage;

namespace SegCluster.Silo;

/// <summary>
/// Offers this silo's device slots (configuration "Devices") before it joins the cluster, so a silo counts as active
/// only with its slots registered (placement ignores slots of silos that are not active).
/// </summary>
public sealed class DeviceSlotRegistration(DeviceSlots slots, ILocalSiloDetails silo, IOptions<SiloSettings> settings)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeviceSlotRegistration), ServiceLifecycleStage.RuntimeGrainServices,
            cancellationToken => slots.RegisterAsync(silo.SiloAddress.ToParsableString(), settings.Value.Devices, cancellationToken));
}
