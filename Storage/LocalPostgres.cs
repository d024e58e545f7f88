using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace SegCluster.Storage;

/// <summary>
/// A PostgreSQL server this machine runs from a data folder of its own, with Debian's binaries: the project's
/// server under .segcluster/pg (shared by every command and test process that holds it, stopped when the last
/// holder leaves, if a holder started it), or a temporary one that a fault test or the soak may stop and start to
/// play an outage without disturbing the project's server.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    /// <summary>Below Linux's ephemeral range (32768-60999), so no client connection's local port can hold it.</summary>
    public const int DefaultPort = 25432;

    private readonly string folder;
    private readonly bool temporary;

    private LocalPostgres(string folder, int port, string connectionString, bool temporary)
    {
        this.folder = folder;
        this.temporary = temporary;
        Port = port;
        ConnectionString = connectionString;
    }

    public int Port { get; }
    public string ConnectionString { get; }

    private string Data => Path.Combine(folder, "data");

    /// <summary>A fresh server in a temporary folder on a free loopback port (trust authentication), deleted on dispose.</summary>
    public static async Task<LocalPostgres> CreateTemporaryAsync()
    {
        var folder = Directory.CreateTempSubdirectory("segcluster-pg-").FullName;
        if (IsRoot) await RunAsync("chown", "postgres:postgres", folder);
        var port = FreeLoopbackPort();
        var server = new LocalPostgres(folder, port,
            $"Host=127.0.0.1;Port={port};Username=segcluster;Database=segcluster;Timeout=5;Command Timeout=30", temporary: true);
        await AsServerUserAsync("initdb", "-D", server.Data, "-U", "segcluster", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
        await server.StartAsync();
        await using (var connection = new NpgsqlConnection(server.ConnectionString.Replace("Database=segcluster", "Database=postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE segcluster", connection);
            await create.ExecuteNonQueryAsync();
        }
        return server;
    }

    public Task StartAsync() => AsServerUserAsync("pg_ctl", "-D", Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {SocketFolder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");

    /// <summary>A fast shutdown: open connections are cut, as when a database host restarts.</summary>
    public Task StopAsync() => AsServerUserAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    private string SocketFolder => temporary ? folder : Path.Combine(folder, "run");

    /// <summary>A temporary server is stopped and deleted; the project's server is left to its holders.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!temporary) return;
        NpgsqlConnection.ClearAllPools();
        try { await StopAsync(); } catch (InvalidOperationException) { }   // already stopped
        Directory.Delete(folder, recursive: true);
    }

    // --- the project's server -----------------------------------------------------------------------

    /// <summary>
    /// The project's state folder: SEGCLUSTER_HOME (./segcluster sets it), else .segcluster beside the SegCluster.sln
    /// above this program (a plain `dotnet test` in a clone).
    /// </summary>
    public static string ProjectHome()
    {
        if (Environment.GetEnvironmentVariable("SEGCLUSTER_HOME") is { Length: > 0 } home) return home;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SegCluster.sln"))) return Path.Combine(dir.FullName, ".segcluster");
        throw new InvalidOperationException("no SEGCLUSTER_HOME and no SegCluster.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>SEGCLUSTER_PG_PORT, else <see cref="DefaultPort"/>.</summary>
    public static int ProjectPort() =>
        int.TryParse(Environment.GetEnvironmentVariable("SEGCLUSTER_PG_PORT"), out var port) ? port : DefaultPort;

    /// <summary>
    /// Registers <paramref name="holder"/> (a process id) as a user of the project's server under
    /// <paramref name="home"/>/pg, creating (initdb, a generated password) and starting the server if needed, and
    /// returns its connection string once it accepts connections.
    /// </summary>
    public static async Task<LocalPostgres> AcquireAsync(string home, int port, int holder, Action<string>? log = null)
    {
        var folder = Path.Combine(home, "pg");
        using var held = await LockAsync(folder);
        var password = Path.Combine(folder, "password");
        if (!File.Exists(password))
            await File.WriteAllTextAsync(password, Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant());
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the project's PostgreSQL runs on Linux");
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var server = new LocalPostgres(folder, port,
            $"Host=127.0.0.1;Port={port};Username=segcluster;Password={File.ReadAllText(password).Trim()};Database=segcluster", temporary: false);
        Directory.CreateDirectory(server.SocketFolder);
        if (IsRoot)
        {
            // initdb and the server refuse to run as root: they run as the postgres user, which must read these.
            await RunAsync("chown", "postgres:postgres", folder, password, server.SocketFolder);
            File.SetUnixFileMode(home, File.GetUnixFileMode(home) | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        if (!File.Exists(Path.Combine(server.Data, "PG_VERSION")))
        {
            log?.Invoke($"initdb {server.Data}");
            await AsServerUserAsync("initdb", "-D", server.Data, "-U", "segcluster", $"--pwfile={password}", "--auth=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8");
        }
        if (!await server.IsRunningAsync())
        {
            log?.Invoke($"starting PostgreSQL on 127.0.0.1:{port}");
            await server.StartAsync();
            await File.WriteAllTextAsync(Path.Combine(folder, "started-by-segcluster"), "");
        }
        Directory.CreateDirectory(Path.Combine(folder, "users"));
        await File.WriteAllTextAsync(Path.Combine(folder, "users", holder.ToString()), "");
        await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>
    /// Unregisters <paramref name="holder"/>; when no live holder is left (holders that exited without releasing
    /// are forgotten), stops the server if a holder started it.
    /// </summary>
    public static async Task ReleaseAsync(string home, int port, int holder)
    {
        var folder = Path.Combine(home, "pg");
        if (!Directory.Exists(folder)) return;
        using var held = await LockAsync(folder);
        var users = Path.Combine(folder, "users");
        File.Delete(Path.Combine(users, holder.ToString()));
        foreach (var user in Directory.Exists(users) ? Directory.GetFiles(users) : [])
        {
            if (int.TryParse(Path.GetFileName(user), out var pid) && IsAlive(pid)) return;
            File.Delete(user);
        }
        var startedBySegCluster = Path.Combine(folder, "started-by-segcluster");
        if (!File.Exists(startedBySegCluster)) return;
        NpgsqlConnection.ClearAllPools();
        var server = new LocalPostgres(folder, port, "", temporary: false);
        try { await server.StopAsync(); } catch (InvalidOperationException) { }   // already stopped
        File.Delete(startedBySegCluster);
    }

    private static readonly SemaphoreSlim ProcessHold = new(1, 1);
    private static Task<string>? heldByThisProcess;

    /// <summary>
    /// The project's server for this process (a test host run by plain `dotnet test`): acquired once, released when
    /// the process exits.
    /// </summary>
    public static async Task<string> ForThisProcessAsync()
    {
        await ProcessHold.WaitAsync();
        try
        {
            if (heldByThisProcess is null || heldByThisProcess.IsFaulted) heldByThisProcess = AcquireForThisProcessAsync();
            return await heldByThisProcess;
        }
        finally { ProcessHold.Release(); }
    }

    private static async Task<string> AcquireForThisProcessAsync()
    {
        var (home, port, pid) = (ProjectHome(), ProjectPort(), Environment.ProcessId);
        var server = await AcquireAsync(home, port, pid);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ReleaseAsync(home, port, pid).GetAwaiter().GetResult();
        return server.ConnectionString;
    }

    private async Task<bool> IsRunningAsync()
    {
        try
        {
            await AsServerUserAsync("pg_ctl", "-D", Data, "status");
            return true;
        }
        catch (InvalidOperationException) { return false; }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false, Timeout = 3 }.ConnectionString;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline) { await Task.Delay(250); }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException($"PostgreSQL did not accept connections on port {Port}; see {Path.Combine(folder, "server.log")}", e);
            }
        }
    }

    /// <summary>One holder at a time changes the registrations or starts and stops the server.</summary>
    private static async Task<FileStream> LockAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try { return new FileStream(Path.Combine(folder, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { await Task.Delay(100); }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string BinDirectory() =>
        (Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : new Version()).LastOrDefault()
            : null)
        ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)");

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>initdb and the server refuse to run as root: as root, they run as the postgres user the package created.</summary>
    private static Task AsServerUserAsync(string tool, params string[] args) => IsRoot
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory(), tool), .. args])
        : RunAsync(Path.Combine(BinDirectory(), tool), args);

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
