using System.Diagnostics;
using Npgsql;
using SegCluster.Silo;

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
        await using var bench = await BenchDatabase.CreateAsync("dashboard", cancel);
        var clock = Stopwatch.StartNew();
        var (batches, counts) = await SeedAsync(bench.ConnectionString, settings, cancel);
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

    /// <summary>The runs and their scored batches, generated in the database (counts vary by a hash of their key).</summary>
    private static async Task<(long Batches, long Counts)> SeedAsync(string database, Settings settings, CancellationToken cancel)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancel);
        await using var seed = new NpgsqlCommand("""
            INSERT INTO runs (run_id, status, config, config_hash, provenance, created_at, started_at, finished_at)
            SELECT format('bench-%s', lpad(r::text, 4, '0')), 'done',
                   jsonb_build_object('RunId', format('bench-%s', lpad(r::text, 4, '0')), 'Preset', 'vgg16-fcn32s', 'Folds', jsonb_build_array(0, 1, 2, 3),
                                      'Shots', jsonb_build_array(1, 5), 'Methods', jsonb_build_array('oslsm'), 'Seed', r, 'Voc', '/data/VOCdevkit'),
                   'hash', '{}', now() - r * interval '1 hour', now() - r * interval '1 hour', now() - r * interval '1 hour' + interval '20 minutes'
              FROM generate_series(1, @runs) r;
            INSERT INTO folds (run_id, fold, status, phase, iteration, iterations)
            SELECT run_id, f, 'done', 'done', 60000, 60000 FROM runs, generate_series(0, 3) f;
            INSERT INTO episode_batches (run_id, fold, method, shots, batch, episodes, episode_seconds, silo)
            SELECT run_id, fold, 'oslsm', k, b, @batch, array_fill(0.2::float8, ARRAY[@batch]), 'silo'
              FROM folds, unnest(ARRAY[1, 5]) k, generate_series(0, @batches - 1) b;
            INSERT INTO batch_class_counts (run_id, fold, method, shots, batch, class_id, episodes, tp, fp, fn, tn)
            SELECT run_id, fold, method, shots, batch, 5 * fold + c, @batch / 5,
                   1000 + abs(hashtext(run_id || fold || shots || batch || c)) % 20000, 1000 + abs(hashtext(c || run_id || batch)) % 8000,
                   1000 + abs(hashtext(batch || run_id || c)) % 8000, 200000
              FROM episode_batches, generate_series(1, 5) c;
            ANALYZE;
            """, connection);
        seed.Parameters.AddWithValue("runs", settings.Runs);
        seed.Parameters.AddWithValue("batch", settings.BatchSize);
        seed.Parameters.AddWithValue("batches", settings.EpisodesPerFold / settings.BatchSize);
        seed.CommandTimeout = 600;
        await seed.ExecuteNonQueryAsync(cancel);
        await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM episode_batches), (SELECT count(*) FROM batch_class_counts)", connection);
        await using var reader = await count.ExecuteReaderAsync(cancel);
        await reader.ReadAsync(cancel);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
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
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));   // Silo/bin/CONFIGURATION/net10.0
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
