using System.Diagnostics;

namespace SegCluster.Learning.Tests;

/// <summary>The -p:TorchBackend switch picks the package graph; the CUDA package itself is not served here.</summary>
public sealed class TorchBackendSwitchTests
{
    [Theory]
    [InlineData("cpu", "libtorch-cpu-linux-x64", "TorchSharp-cuda-linux")]
    [InlineData("cuda", "TorchSharp-cuda-linux", "libtorch-cpu-linux-x64")]
    public async Task Backend_property_selects_the_native_package(string backend, string expected, string absent)
    {
        var project = Path.Combine(RepositoryRoot(), "Learning", "Learning.csproj");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "msbuild", project, "-getItem:PackageReference", $"-p:TorchBackend={backend}", "-nologo" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains($"\"{expected}\"", output);
        Assert.DoesNotContain($"\"{absent}\"", output);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SegCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("SegCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
