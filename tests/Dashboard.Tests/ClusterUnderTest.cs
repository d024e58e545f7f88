using Microsoft.AspNetCore.Builder;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Cli.Commands;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>
/// What the dashboard tests run against: silo processes of the built CLI on loopback over a given database (one CPU
/// slot each), a client, a small generated data set under the silos' data root, and the dashboard on a free port.
/// </summary>
public sealed class ClusterUnderTest : IAsyncDisposable
{
    private ClusterUnderTest(string root, SyntheticPascal.Layout data, LocalCluster silos, ClusterClientHost client, WebApplication dashboard, string url)
    {
        (Root, Data, Silos, this.client, Dashboard, Url) = (root, data, silos, client, dashboard, url);
    }

    private readonly ClusterClientHost client;
    public string Root { get; }
    public string DataRoot => Path.Combine(Root, "data");
    public SyntheticPascal.Layout Data { get; }
    public LocalCluster Silos { get; }
    public IClusterClient Client => client.Client;
    public WebApplication Dashboard { get; }
    public string Url { get; }

    /// <param name="dashboardArguments">extra dashboard settings, e.g. "--Dashboard:AdminSecret", "s"; "{data}" stands for the data root</param>
    public static async Task<ClusterUnderTest> StartAsync(string connectionString, int silos, params string[] dashboardArguments)
    {
        SchemaMigrator.Apply(connectionString);
        var root = Directory.CreateTempSubdirectory("segcluster-dashboard-tests-").FullName;
        var data = SyntheticPascal.Generate(Path.Combine(root, "data", "generated"), new SyntheticPascal.Options(Images: 200, Size: 48, Seed: 4));
        var basePort = LocalCluster.FreePortBlock();
        var cluster = LocalCluster.Start(silos, connectionString, torchThreads: 1, Path.Combine(root, "checkpoints"), Path.Combine(root, "data"),
            basePort, basePort + 5, cli: CliAssembly());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var client = await ClusterClientHost.ConnectWithRetryAsync(connectionString, timeout.Token, beforeRetry: cluster.ThrowIfAnyExited);
        await new RunClient(client.Client).WaitForSilosAsync(silos, timeout.Token, cluster.ThrowIfAnyExited);
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var dashboard = DashboardApp.Build(["--urls", url, .. dashboardArguments.Select(a => a.Replace("{data}", Path.Combine(root, "data")))], connectionString);
        await dashboard.StartAsync();
        return new ClusterUnderTest(root, data, cluster, client, dashboard, url);
    }

    /// <summary>A small, fast run on the generated data (tiny preset, 48-pixel inputs, 1-shot, OSLSM and a trivial reference).</summary>
    public RunConfig SmallRun(string runId, int[] folds, int iterations, int episodes) => RunConfig.PaperProtocol with
    {
        RunId = runId, Folds = folds, Shots = [1], Methods = ["oslsm", "all-foreground"], Preset = "tiny", QuerySize = 48, SupportSize = 48,
        Voc = Path.GetDirectoryName(Data.Voc)!, Sbd = Path.GetDirectoryName(Data.Sbd)!, Iterations = iterations, CheckpointEvery = 100,
        ProgressEvery = 10, Episodes = episodes, BatchSize = 7, LearningRate = 1e-3, ConditioningLearningRateMultiplier = 1, MeanLoss = true,
        Optimizer = "adam",
    };

    public Task StartAsync(RunConfig config, CancellationToken cancel) => new RunClient(Client).StartAsync(config, cancel);

    /// <summary>Polls the run until the condition holds; on cancellation, says where the run stood and what the silos last logged.</summary>
    public async Task<RunStatus> WaitAsync(string runId, Func<RunStatus, bool> until, CancellationToken cancel)
    {
        RunStatus? status = null;
        try
        {
            while (true)
            {
                status = await new RunClient(Client).StatusAsync(runId, cancel);
                if (until(status)) return status;
                await Task.Delay(200, cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            var silos = Enumerable.Range(0, Silos.Silos.Count).Select(i =>
                $"silo{i} ({(Silos.Silos[i].HasExited ? $"exited with {Silos.Silos[i].ExitCode}" : "running")}), its last warnings:\n" +
                string.Join('\n', Silos.RecentOutput(i).Where(l => !l.TrimStart().StartsWith("at ")).TakeLast(30)));
            throw new TimeoutException($"run {runId} still {status?.State ?? "unread"}: {(status is null ? "" : string.Join("; ", status.Folds))}\n" +
                                       string.Join('\n', silos));
        }
    }

    /// <summary>
    /// The CLI as the build left it (Cli/bin/CONFIGURATION/net10.0): this test host's folder holds the web app's
    /// dependency set, in which the CLI's hosting packages give way to the ASP.NET Core framework it does not load.
    /// </summary>
    private static string CliAssembly()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));   // tests/Dashboard.Tests/bin/CONFIGURATION/net10.0
        var repository = bin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var cli = Path.Combine(repository, "Cli", "bin", bin.Parent.Name, bin.Name, "segcluster.dll");
        return File.Exists(cli) ? cli : throw new FileNotFoundException($"build the solution first: {cli} is missing", cli);
    }

    public async ValueTask DisposeAsync()
    {
        await Dashboard.DisposeAsync();
        await client.DisposeAsync();
        await Silos.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
