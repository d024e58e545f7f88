using SegCluster.Client;

namespace SegCluster.Dashboard;

/// <summary>
/// The dashboard's Orleans client, connected on first use (launch, cancel) so the dashboard serves the database's
/// runs whether or not a cluster is up. A failed connection is retried on the next use.
/// </summary>
public sealed class ClusterConnection(string connectionString) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ClusterClientHost? host;

    public async Task<IClusterClient> GetAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Throws ClusterUnavailableException, one line the launch form shows, when no silo answers.
            host ??= await ClusterClientHost.ConnectWithRetryAsync(connectionString, cancellationToken, TimeSpan.FromSeconds(10));
            return host.Client;
        }
        finally { gate.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
        gate.Dispose();
    }
}
