using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SegCluster.Bench;

/// <summary>What every benchmark figure names: the machine, its cores, the thread count, and the repository's scripts.</summary>
public static class BenchEnvironment
{
    public const string Python = "/usr/bin/python3";

    public static string Cpu { get; } = File.Exists("/proc/cpuinfo")
        ? Regex.Match(File.ReadAllText("/proc/cpuinfo"), @"model name\s*:\s*(.+)").Groups[1].Value.Trim()
        : "unknown CPU";

    public static object Describe(int threads) => new
    {
        machine = Environment.MachineName,
        cpu = Cpu,
        cores = Environment.ProcessorCount,
        threads,
        torch = Learning.TorchRuntime.Describe(),
        date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"),
    };

    /// <summary>The repository root: the folder above the build that holds SegCluster.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SegCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found: run benchmarks through ./segcluster bench");
    }

    /// <summary>Starts a reference script with Debian's python3-torch, its standard streams redirected.</summary>
    public static Process StartPython(IReadOnlyDictionary<string, string> environment, string script, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tests", "python", script));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
    }

    /// <summary>Runs a reference script with Debian's python3-torch and returns its standard output.</summary>
    public static string RunPython(IReadOnlyDictionary<string, string> environment, string script, params string[] args)
    {
        using var process = StartPython(environment, script, args);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} {string.Join(' ', args)} failed: {error.Trim()}");
        return output.Result;
    }

    /// <summary>Median seconds of <paramref name="repeats"/> timed runs after <paramref name="warmup"/> untimed ones; each result is disposed.</summary>
    public static double MedianSeconds(Func<IDisposable> run, int warmup, int repeats)
    {
        var seconds = new List<double>();
        for (var i = 0; i < warmup + repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run().Dispose();
            if (i >= warmup) seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return Median(seconds);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
