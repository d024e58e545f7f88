using SegCluster.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Converters;
using Orleans.Configuration;
using Orleans.Serialization;
using SegCluster.Grains;
using SegCluster.Learning;
using SegCluster.Learning.Devices;
using SegCluster.Storage;

namespace SegCluster.Silo;

/// <summary>Builds the host of one silo: ADO.NET clustering, grain storage and reminders on PostgreSQL.</summary>
public static class SiloHostBuilder
{
    /// <summary>How long a stopping silo may take to leave the cluster (k8s grace periods must be longer).</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    public sealed record Endpoints(string Name, int SiloPort, int GatewayPort, string? AdvertisedAddress, bool FastFailureDetection = false);

    /// <exception cref="ArgumentException">A device slot is malformed or names a device torch cannot use here (checked before
    /// anything joins the cluster).</exception>
    public static IHost Build(string connectionString, Endpoints endpoints, SiloSettings siloOptions, string[]? configArgs = null)
    {
        CheckDevices(siloOptions);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = configArgs ?? [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddServices(builder, connectionString, siloOptions);

        var address = ClusterSettings.AdvertisedAddress(endpoints.AdvertisedAddress);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterSettings.ClusterId;
                o.ServiceId = ClusterSettings.ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = endpoints.Name);
            if (endpoints.FastFailureDetection)
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    // On loopback a dead silo refuses connections at once: a few short probes are proof enough.
                    o.ProbeTimeout = TimeSpan.FromSeconds(2);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                });
            silo.ConfigureEndpoints(address, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: endpoints.AdvertisedAddress is not null);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = ClusterSettings.AdoInvariant;
                o.ConnectionString = connectionString;
            });
            ConfigureGrains(silo, connectionString);
        });
        return builder.Build();
    }

    /// <summary>What a silo's grains need: the stores, caches, solver factory, torch workers, slot registration and placement.</summary>
    public static void AddServices(IHostApplicationBuilder builder, string connectionString, SiloSettings siloOptions)
    {
        builder.Services.Configure<SiloSettings>(o =>
        {
            o.Devices = siloOptions.Devices;
            o.ScoringDevice = siloOptions.ScoringDevice;
            o.TorchThreads = siloOptions.TorchThreads;
            o.CheckpointRoot = siloOptions.CheckpointRoot;
            o.DataRoots = siloOptions.DataRoots;
        });
        builder.Services.AddSingleton(new ResultsStore(connectionString));
        builder.Services.AddSingleton(new DeviceSlots(connectionString));
        builder.Services.AddSingleton<DataCatalogCache>();
        builder.Services.AddSingleton<ModelCache>();
        builder.Services.AddSingleton<SolverFactory>();
        builder.Services.AddSingleton<TorchWorkers>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DeviceSlotRegistration>();
        builder.Services.AddPlacementDirector<DeviceSlotPlacement, DeviceSlotPlacementDirector>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        TorchRuntime.Configure(siloOptions.TorchThreads);
    }

    /// <summary>Grain state and reminders in PostgreSQL, and the response timeout long work needs.</summary>
    public static void ConfigureGrains(ISiloBuilder silo, string connectionString)
    {
        // Scoring a batch of VGG-16 episodes on a CPU takes minutes, not the default 30 seconds.
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ClusterSettings.ResponseTimeout);
        silo.Services.Configure<OrleansJsonSerializerOptions>(StoreEnumsByName);
        silo.AddAdoNetGrainStorageAsDefault(o =>
        {
            o.Invariant = ClusterSettings.AdoInvariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = ClusterSettings.AdoInvariant;
            o.ConnectionString = connectionString;
        });
    }

    /// <summary>Grain state is Orleans' Newtonsoft JSON, with enums by name ([EnumMember]) as the tables and config files have them.</summary>
    public static void StoreEnumsByName(OrleansJsonSerializerOptions options) => options.JsonSerializerSettings.Converters.Add(new StringEnumConverter());

    /// <summary>
    /// Refuses, in one line, a slot that is malformed or whose device this process's libtorch cannot reach (CPU-only
    /// build, no driver, too few GPUs); with a usable CUDA device, turns libtorch's deterministic switches on.
    /// </summary>
    private static void CheckDevices(SiloSettings settings)
    {
        var slots = new List<DeviceSlot>();
        foreach (var (text, role) in settings.Devices.Select(d => (d, "device slot")).Append((settings.ResolvedScoringDevice, "scoring device")))
        {
            if (!DeviceSlot.TryParse(text, out var slot, out var error)) throw new ArgumentException($"{role} {error}");
            if (TorchDevices.Unavailable(slot) is { } reason) throw new ArgumentException($"{role} {slot} cannot be used: {reason}");
            slots.Add(slot);
        }
        if (slots.Any(s => s.IsCuda)) TorchDevices.UseReproducibleCuda();
    }
}
