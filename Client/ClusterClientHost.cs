using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace SegCluster.Client;

/// <summary>An Orleans client that finds the cluster's gateways through the PostgreSQL membership table.</summary>
public sealed class ClusterClientHost : IAsyncDisposable
{
    private readonly IHost host;
    private bool disposed;

    private ClusterClientHost(IHost host) => this.host = host;

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public static async Task<ClusterClientHost> ConnectAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Gateway retries while silos start and stop are expected; the client reports real failures itself.
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        // Its gateway list is re-read from the membership table every minute; a database outage is reported by the commands' own retries.
        builder.Logging.AddFilter("Orleans.Messaging.GatewayManager", LogLevel.Critical);
        // A start that finds no gateway throws, and the caller says so in one line; the host would log it with its stack.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterSettings.ClusterId;
                o.ServiceId = ClusterSettings.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = ClusterSettings.AdoInvariant;
                o.ConnectionString = connectionString;
            });
        });
        var host = builder.Build();
        try { await host.StartAsync(cancellationToken); }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ClusterClientHost(host);
    }

    /// <summary>How long commands wait for a silo by default.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Silos take a few seconds to join; the client retries until a gateway answers or the timeout passes.</summary>
    /// <exception cref="ClusterUnavailableException">No silo answered within the timeout.</exception>
    public static async Task<ClusterClientHost> ConnectWithRetryAsync(string connectionString, CancellationToken cancel, TimeSpan? timeout = null,
        Action? beforeRetry = null)
    {
        var waited = timeout ?? DefaultConnectTimeout;
        // One attempt can wait far longer than the timeout for a gateway to appear (minutes, when the membership table is
        // empty): the deadline cancels it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(waited);
        Exception? last = null;
        while (true)
        {
            try { return await ConnectAsync(connectionString, deadline.Token); }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new ClusterUnavailableException(waited, last ?? new TimeoutException("no gateway answered"));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
                if (deadline.IsCancellationRequested) throw new ClusterUnavailableException(waited, e);
                beforeRetry?.Invoke();
                try { await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token); }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { throw new ClusterUnavailableException(waited, e); }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        await host.StopAsync();
        host.Dispose();
    }
}
