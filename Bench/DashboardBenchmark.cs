using System.Diagnostics;
using SegCluster.Silo;
using SegCluster.Storage;

namespace SegCluster.Bench;

/// <summary>
/// `bench dashboard`: seeds a fresh database with many finished runs (4 folds, 1- and 5-shot OSLSM, per-batch
/// class counts as episode grains store them), starts the built dashboard on loopback over it, and times the runs
/// page and one run's Table 1 page (server-side prerendered, so a response holds the rendered table). Times are
/// whole responses on loopback: server time plus a loopback round trip.
/// </summary>
public static class DashboardBenchmark
{
    public sealed record Settings(int Runs, int EpisodesPerFold, int BatchSize, int Warmup, int Requests);

    public static Settings For(bool quick) => quick ? new(10, 100, 50, 2, 20) : new(100, 1000, 50, 10, 200);

    public sealed record PageResult(string Page, string Path, int Requests, double P50Milliseconds, double P95Milliseconds, int Bytes);

    public sealed record Result(Settings Settings, long BatchRows, long ClassCountRows, IReadOnlyList<PageResult> Pages);

    public static async Task<Result> RunAsync(Settings settings, Action<string> log, CancellationToken cancel)
    {
        await using var bench = await ScratchDatabase.CreateAsync(DatabaseSettings.Resolve(null), "bench_dashboard", cancel: cancel);
        var clock = Stopwatch.StartNew();
        var (batches, counts) = await SyntheticRuns.SeedAsync(bench.ConnectionString, settings.Runs, settings.EpisodesPerFold, settings.BatchSize, cancel);
        log($"seeded {settings.Runs} runs, {batches} batches, {counts} class-count rows in {clock.Elapsed.TotalSeconds:F1} s");
        await using var dashboard = await DashboardProcess.StartAsync(bench.ConnectionString, cancel);
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Url) };
        var middleRun = $"bench-{settings.Runs / 2:D4}";
        var pages = new List<PageResult>();
        foreach (var (page, path) in new[] { ("runs", "/"), ("table1", $"/runs/{middleRun}/table1") })
            pages.Add(await TimeAsync(http, page, path, settings, cancel));
        return new Result(settings, batches, counts, pages);
    }

    private static async Task<PageResult> TimeAsync(HttpClient http, string page, string path, Settings settings, CancellationToken cancel)
    {
        var milliseconds = new List<double>();
        var bytes = 0;
        for (var i = 0; i < settings.Warmup + settings.Requests; i++)
        {
            var clock = Stopwatch.StartNew();
            var body = await http.GetStringAsync(path, cancel);
            if (i >= settings.Warmup) milliseconds.Add(clock.Elapsed.TotalMilliseconds);
            bytes = body.Length;
        }
        milliseconds.Sort();
        return new PageResult(page, path, settings.Requests, Percentile(milliseconds, 0.5), Percentile(milliseconds, 0.95), bytes);
    }

    private static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}

/// <summary>The built dashboard (Dashboard/bin/CONFIGURATION/net10.0) as a child process on a free loopback port.</summary>
public sealed class DashboardProcess : IAsyncDisposable
{
    private readonly Process process;

    private DashboardProcess(Process process, string url)
    {
        this.process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<DashboardProcess> StartAsync(string connectionString, CancellationToken cancel)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Assembly());
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["ConnectionStrings__SegCluster"] = connectionString;
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the dashboard");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dashboard = new DashboardProcess(process, url);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the dashboard exited with code {process.ExitCode}");
            try
            {
                if ((await http.GetAsync(url + "/healthz", cancel)).IsSuccessStatusCode) return dashboard;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            await Task.Delay(250, cancel);
        }
    }

    /// <summary>Whether a built dashboard is at hand (<see cref="Assembly"/>).</summary>
    public static bool IsBuilt => Candidate() is { } path && File.Exists(path);

    /// <summary>SEGCLUSTER_DASHBOARD_DLL (set by ./segcluster), else the dashboard built beside this CLI.</summary>
    private static string Assembly() =>
        Candidate() is { } path && File.Exists(path) ? path : throw new FileNotFoundException($"the dashboard is not built: {Candidate()}", Candidate());

    private static string? Candidate()
    {
        if (Environment.GetEnvironmentVariable("SEGCLUSTER_DASHBOARD_DLL") is { Length: > 0 } configured) return configured;
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));   // Cli/bin/CONFIGURATION/net10.0
        try { return Path.Combine(BenchEnvironment.RepositoryRoot(), "Dashboard", "bin", bin.Parent!.Name, bin.Name, "SegCluster.Dashboard.dll"); }
        catch (InvalidOperationException) { return null; }   // not inside the repository
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool disposed;

    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        await LocalCluster.EndAsync(process);
    }
}
