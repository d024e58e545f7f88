using Microsoft.AspNetCore.Builder;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Silo;
using SegCluster.Tests;

namespace SegCluster.Dashboard.Tests;

/// <summary>What the dashboard tests run against: a <see cref="ProcessCluster"/> over a given database, and the dashboard on a free port.</summary>
public sealed class ClusterUnderTest : IAsyncDisposable
{
    private readonly ProcessCluster cluster;

    private ClusterUnderTest(ProcessCluster cluster, WebApplication dashboard, string url) => (this.cluster, Dashboard, Url) = (cluster, dashboard, url);

    public string Root => cluster.Root;
    public string DataRoot => cluster.DataRoot;
    public SyntheticPascal.Layout Data => cluster.Data;
    public LocalCluster Silos => cluster.Silos;
    public IClusterClient Client => cluster.Client;
    public WebApplication Dashboard { get; }
    public string Url { get; }

    /// <param name="dashboardArguments">extra dashboard settings, e.g. "--Dashboard:AdminSecret", "s"; "{data}" stands for the data root</param>
    public static async Task<ClusterUnderTest> StartAsync(string connectionString, int silos, params string[] dashboardArguments)
    {
        var cluster = await ProcessCluster.StartAsync(connectionString, silos, cli: CliAssembly());
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var dashboard = DashboardApp.Build(["--urls", url, .. dashboardArguments.Select(a => a.Replace("{data}", cluster.DataRoot))], connectionString);
        await dashboard.StartAsync();
        return new ClusterUnderTest(cluster, dashboard, url);
    }

    public RunConfig SmallRun(string runId, int[] folds, int iterations, int episodes) => cluster.SmallRun(runId, folds, iterations, episodes);

    public Task StartAsync(RunConfig config, CancellationToken cancel) => cluster.StartAsync(config, cancel);

    /// <summary>Polls the run until the condition holds; past the token's deadline, says where the run stood and what the silos last logged.</summary>
    public Task<RunStatus> WaitAsync(string runId, Func<RunStatus, bool> until, CancellationToken cancel) =>
        cluster.WaitAsync(runId, Timeout.InfiniteTimeSpan, until, silosMustLive: false, cancel);

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
        await cluster.DisposeAsync();
    }
}
