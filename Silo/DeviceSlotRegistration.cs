using Microsoft.Extensions.Options;
using SegCluster.Grains;
using SegCluster.Storage;

namespace SegCluster.Silo;

/// <summary>Offers this silo's device slots (configuration "Devices") once the silo is active in the cluster.</summary>
public sealed class DeviceSlotRegistration(DeviceSlots slots, ILocalSiloDetails silo, IOptions<SiloSettings> settings)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeviceSlotRegistration), ServiceLifecycleStage.Active,
            cancellationToken => slots.RegisterAsync(silo.SiloAddress.ToParsableString(), settings.Value.Devices, cancellationToken));
}
