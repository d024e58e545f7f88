using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Storage;

namespace SegCluster.Tests;

/// <summary>
/// A real cluster for tests: silo processes of the built CLI on loopback over a migrated database (ADO.NET
/// clustering, one CPU device slot each), a client, and a small generated data set under the silos' data root.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private ProcessCluster(string root, SyntheticPascal.Layout data, LocalCluster silos, ClusterClientHost client, string connectionString)
    {
        (Root, Data, Silos, ClientHost, ConnectionString) = (root, data, silos, client, connectionString);
    }

    public string Root { get; }
    public string DataRoot => Path.Combine(Root, "data");
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    public SyntheticPascal.Layout Data { get; }
    public LocalCluster Silos { get; }
    public ClusterClientHost ClientHost { get; }
    public IClusterClient Client => ClientHost.Client;
    public RunClient Runs => new(Client);
    public string ConnectionString { get; }
    public ResultsStore Results => new(ConnectionString);

    /// <param name="cli">the segcluster.dll the silos run (default: the one beside the test assembly)</param>
    public static async Task<ProcessCluster> StartAsync(string connectionString, int silos, string? cli = null)
    {
        SchemaMigrator.Apply(connectionString);
        var root = Directory.CreateTempSubdirectory("segcluster-tests-").FullName;
        var data = SmallRuns.GenerateData(Path.Combine(root, "data"));
        var basePort = LocalCluster.FreePortBlock();
        var cluster = LocalCluster.Start(silos, connectionString, torchThreads: 1, Path.Combine(root, "checkpoints"), Path.Combine(root, "data"),
            basePort, basePort + 5, cli);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var client = await ClusterClientHost.ConnectWithRetryAsync(connectionString, timeout.Token, beforeRetry: cluster.ThrowIfAnyExited);
        await new RunClient(client.Client).WaitForSilosAsync(silos, timeout.Token, cluster.ThrowIfAnyExited);
        return new ProcessCluster(root, data, cluster, client, connectionString);
    }

    /// <summary>A small, fast run on the cluster's data (<see cref="SmallRuns"/>).</summary>
    public RunConfig SmallRun(string runId, int[] folds, int iterations = 40, int episodes = 30) => SmallRuns.On(Data, runId, folds, iterations, episodes);

    public Task StartAsync(RunConfig config, CancellationToken cancel = default, string? group = null) => Runs.StartAsync(config, cancel, group);

    /// <summary>
    /// Polls the run until the condition holds (by default: finished); past the timeout, says where the run stood and
    /// what the silos last logged. <paramref name="silosMustLive"/>: a silo that exits fails the wait at once.
    /// </summary>
    public async Task<RunStatus> WaitAsync(string runId, TimeSpan timeout, Func<RunStatus, bool>? until = null, bool silosMustLive = true,
        CancellationToken cancel = default)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await Runs.StatusAsync(runId, cancel);
            if ((until ?? (s => s.IsFinished))(status)) return status;
            if (silosMustLive) Silos.ThrowIfAnyExited();
            if (DateTime.UtcNow > deadline || cancel.IsCancellationRequested)
            {
                var silos = Enumerable.Range(0, Silos.Silos.Count).Select(i =>
                    $"silo{i} ({(Silos.Silos[i].HasExited ? $"exited with {Silos.Silos[i].ExitCode}" : "running")}), its last warnings:\n" +
                    string.Join('\n', Silos.RecentOutput(i).Where(l => !l.TrimStart().StartsWith("at ")).TakeLast(30)));
                throw new TimeoutException($"run {runId} still {status.State.Name()}: {string.Join("; ", status.Folds)}\n" + string.Join('\n', silos));
            }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ClientHost.DisposeAsync();
        await Silos.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }   // a silo's file still closing
    }
}
