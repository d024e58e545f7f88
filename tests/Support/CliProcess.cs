using System.Diagnostics;
using System.Text;

namespace SegCluster.Tests;

/// <summary>The built CLI (segcluster.dll next to the test assembly) run as a child process.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly StringBuilder output = new();

    public Process Process { get; }
    public string Output { get { lock (output) return output.ToString(); } }

    private CliProcess(Process process) => Process = process;

    public static CliProcess Start(string? connectionString, params string[] args) =>
        StartWithEnvironment(connectionString is null ? [] : new Dictionary<string, string> { ["SEGCLUSTER_DB"] = connectionString }, args);

    public static CliProcess StartWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "segcluster.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var cli = new CliProcess(Process.Start(start)!);
        cli.Process.OutputDataReceived += (_, e) => cli.Append(e.Data);
        cli.Process.ErrorDataReceived += (_, e) => cli.Append(e.Data);
        cli.Process.BeginOutputReadLine();
        cli.Process.BeginErrorReadLine();
        return cli;
    }

    public static Task<(int ExitCode, string Output)> RunAsync(string? connectionString, params string[] args) =>
        RunWithEnvironmentAsync(connectionString is null ? [] : new Dictionary<string, string> { ["SEGCLUSTER_DB"] = connectionString }, args);

    public static async Task<(int ExitCode, string Output)> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var cli = StartWithEnvironment(environment, args);
        // Generous: the quick benchmarks run several clusters and share two cores with the project's other tests.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await cli.Process.WaitForExitAsync(timeout.Token);
        return (cli.Process.ExitCode, cli.Output);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
    }
}
