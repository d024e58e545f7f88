using System.Diagnostics;
using System.Text.Json;

namespace SegCluster.Deployment.Tests;

/// <summary>No package of any project, direct or transitive, has a known vulnerability (NuGet's advisory data).</summary>
public sealed class PackageAuditTests
{
    [Fact]
    public async Task No_package_has_a_known_vulnerability()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "list", Path.Combine(RenderedManifests.RepositoryRoot, "SegCluster.sln"), "package", "--vulnerable", "--include-transitive", "--format", "json" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error + await output);

        using var report = JsonDocument.Parse(await output);
        var projects = report.RootElement.GetProperty("projects").EnumerateArray().ToList();
        Assert.True(projects.Count >= 13, $"{projects.Count} projects audited");
        var vulnerable = projects.Where(p => p.TryGetProperty("frameworks", out _)).Select(p => p.GetProperty("path").GetString()).ToList();
        Assert.True(vulnerable.Count == 0, "vulnerable packages in: " + string.Join(", ", vulnerable) + "\n" + await output);
    }
}
