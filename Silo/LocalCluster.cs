using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SegCluster.Silo;

/// <summary>
/// Several silo processes on localhost (the demo's cluster): each runs `segcluster silo`
/// with its own ports and device slot. Disposing stops them (SIGTERM, then kill after a grace period).
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private const int KeptLines = 200;
    private readonly List<Process> silos = [];
    private readonly List<Queue<string>> recent = [];

    public IReadOnlyList<Process> Silos => silos;

    /// <summary>The last lines each silo wrote (its log, on standard output, and its standard error), oldest first.</summary>
    public IReadOnlyList<string> RecentOutput(int silo)
    {
        lock (recent[silo]) return [.. recent[silo]];
    }

    /// <summary>The silo port of the first silo; silo i listens on BasePort + i.</summary>
    public int BasePort { get; private init; }

    private string connectionString = "";
    private int torchThreads;
    private string checkpoints = "", dataRoot = "";
    private int baseGateway;
    private string? cli;

    public static LocalCluster Start(int count, string connectionString, int torchThreads, string checkpoints, string dataRoot,
        int basePort = 21111, int baseGateway = 31000, string? cli = null)
    {
        var cluster = new LocalCluster
        {
            BasePort = basePort, connectionString = connectionString, torchThreads = torchThreads, checkpoints = checkpoints, dataRoot = dataRoot,
            baseGateway = baseGateway, cli = cli,
        };
        try
        {
            for (var i = 0; i < count; i++) cluster.StartSilo(i);
            return cluster;
        }
        catch
        {
            cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>
    /// Starts silo <paramref name="index"/> (ports BasePort + index, device slot cpu:index): the next one, or again in
    /// the place of one that exited (a supervisor restarting a pod; it joins with a new generation).
    /// </summary>
    public void StartSilo(int index)
    {
        if (index > silos.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"silos start in order; next is {silos.Count}");
        if (index < silos.Count && !silos[index].HasExited) throw new InvalidOperationException($"silo{index} is still running");
        var name = $"silo{index}";
        var start = CliInvocation(cli,
            "silo", "--name", name, "--port", (BasePort + index).ToString(), "--gateway", (baseGateway + index).ToString(),
            "--devices", $"cpu:{index}", "--torch-threads", torchThreads.ToString(), "--checkpoints", checkpoints, "--data-root", dataRoot,
            "--fast-failure-detection");
        start.Environment["SEGCLUSTER_DB"] = connectionString;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a silo process");
        // Drain the pipes so a chatty silo never blocks on a full buffer; keep the tail for when something fails.
        var lines = new Queue<string>();
        void Keep(string line)
        {
            lock (lines)
            {
                lines.Enqueue(line);
                if (lines.Count > KeptLines) lines.Dequeue();
            }
        }
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Keep(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Keep(e.Data);
            Console.Error.WriteLine($"[{name}] {e.Data}");
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (index == silos.Count)
        {
            silos.Add(process);
            recent.Add(lines);
        }
        else
        {
            silos[index].Dispose();
            silos[index] = process;
            recent[index] = lines;
        }
    }

    /// <summary>Stops silo <paramref name="index"/> gracefully (SIGTERM: it leaves the cluster), as a scale-down would.</summary>
    public async Task StopSiloAsync(int index)
    {
        Terminate(silos[index]);
        await silos[index].WaitForExitAsync();
    }

    /// <summary>
    /// The first of ten loopback ports (up to five silos at +0..4, their gateways at +5..9) that are free now, picked at
    /// random below the kernel's ephemeral range (32768 up), where outgoing connections such as PostgreSQL's take their
    /// local ports: a silo port in that range can already be taken by one of them.
    /// </summary>
    public static int FreePortBlock()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = 20000 + Random.Shared.Next(0, 1200) * 10;
            if (Enumerable.Range(first, 10).All(IsFree)) return first;
        }
        throw new InvalidOperationException("no free block of ten loopback ports between 20000 and 32000");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>Fails with the silo's exit code if any silo process has ended.</summary>
    public void ThrowIfAnyExited()
    {
        if (silos.FindIndex(s => s.HasExited) is var dead and >= 0)
            throw new InvalidOperationException($"silo process {silos[dead].Id} exited with code {silos[dead].ExitCode}; its last output:\n" +
                                                string.Join('\n', RecentOutput(dead).TakeLast(40)));
    }

    /// <summary>
    /// A start description that runs this executable again (or the given CLI assembly, for hosts whose output folder
    /// lacks the CLI's own dependencies, such as a web test host) with the given arguments.
    /// </summary>
    /// <summary>The `segcluster` program with these arguments: this process when it is that program, else the segcluster.dll beside this assembly.</summary>
    public static ProcessStartInfo CliInvocation(string? cli, params string[] args)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        ProcessStartInfo start;
        if (cli is null && Path.GetFileNameWithoutExtension(processPath) == "segcluster")
            start = new ProcessStartInfo(processPath) { UseShellExecute = false };
        else
        {
            start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            start.ArgumentList.Add(cli ?? Path.Combine(Path.GetDirectoryName(typeof(LocalCluster).Assembly.Location)!, "segcluster.dll"));
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in silos.Where(s => !s.HasExited))
            Terminate(silo);
        foreach (var silo in silos)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await silo.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { silo.Kill(entireProcessTree: true); await silo.WaitForExitAsync(); }
            silo.Dispose();
        }
        silos.Clear();
        recent.Clear();
    }

    /// <summary>Kills a child process (and its children) if it still runs, waits for it, and releases it.</summary>
    public static async Task EndAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private static void Terminate(Process process)
    {
        // SIGTERM lets the silo leave the cluster gracefully (Orleans marks it dead in the membership table).
        if (OperatingSystem.IsWindows()) process.Kill();
        else _ = kill(process.Id, 15);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
