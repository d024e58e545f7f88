using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SegCluster.Storage;

/// <summary>
/// A PostgreSQL server of its own (initdb into a temporary folder, loopback, trust authentication), which a fault test
/// or the soak may stop and start to play an outage without disturbing the project's shared server.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string folder;

    private PrivatePostgres(string bin, string folder, int port)
    {
        this.bin = bin;
        this.folder = folder;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=segcluster;Database=segcluster;Timeout=5;Command Timeout=30";
    }

    public int Port { get; }
    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> CreateAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql");
        var folder = Directory.CreateTempSubdirectory("segcluster-pg-").FullName;
        if (Environment.UserName == "root") await RunAsync("chown", "postgres:postgres", folder);
        var server = new PrivatePostgres(bin, folder, FreeLoopbackPort());
        await server.AsServerUserAsync("initdb", "-D", server.Data, "-U", "segcluster", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
        await server.StartAsync();
        await using (var connection = new NpgsqlConnection(server.ConnectionString.Replace("Database=segcluster", "Database=postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE segcluster", connection);
            await create.ExecuteNonQueryAsync();
        }
        return server;
    }

    private string Data => Path.Combine(folder, "data");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task StartAsync() => AsServerUserAsync("pg_ctl", "-D", Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");

    /// <summary>A fast shutdown: open connections are cut, as when a database host restarts.</summary>
    public Task StopAsync() => AsServerUserAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await StopAsync(); } catch (InvalidOperationException) { }   // already stopped
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>initdb and the server refuse to run as root: as root, they run as the postgres user the package created.</summary>
    private Task AsServerUserAsync(string tool, params string[] args) => Environment.UserName == "root"
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args])
        : RunAsync(Path.Combine(bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)}: {error}{await output}");
    }
}
