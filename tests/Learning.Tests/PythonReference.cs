using System.Diagnostics;

namespace SegCluster.Learning.Tests;

/// <summary>Runs tests/python scripts with Debian's python3 (python3-torch), which ./segcluster test installs.</summary>
public static class PythonReference
{
    public const string Interpreter = "/usr/bin/python3";

    public static void Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo(Interpreter) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", script));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["TORCH_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {stderr.Result}");
    }
}
