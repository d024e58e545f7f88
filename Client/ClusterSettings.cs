using System.Net;
using Microsoft.Extensions.Configuration;
using SegCluster.Storage;

namespace SegCluster.Client;

/// <summary>Cluster identity and endpoints shared by silos and clients.</summary>
public static class ClusterSettings
{
    public const string ClusterId = "segcluster";
    public const string ServiceId = "segcluster";
    public const string AdoInvariant = "Npgsql";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    /// <summary>Grain calls between silos may wait this long (a batch of VGG-16 episodes on a CPU takes minutes).
    /// Clients keep Orleans' default: their calls are short and retried.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The database: ConnectionStrings:SegCluster from appsettings.json next to the executable or the environment
    /// (ConnectionStrings__SegCluster), else SEGCLUSTER_DB.
    /// </summary>
    public static string ConnectionString()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        return DatabaseSettings.Resolve(configuration.GetConnectionString(DatabaseSettings.ConnectionStringName));
    }

    /// <summary>Silos and gateways bind to loopback unless an advertised address is configured (k8s: POD_IP).</summary>
    public static IPAddress AdvertisedAddress(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? IPAddress.Loopback : IPAddress.Parse(configured);
}
