using System.Text.Json;

namespace SegCluster.Silo.Tests;

/// <summary>The benchmarks keep working (quick mode); their figures are reported, never asserted.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Quick_parity_times_both_sides_and_the_logits_agree()
    {
        var json = Path.Combine(Path.GetTempPath(), $"segcluster-bench-{Guid.NewGuid():N}.json");
        var (exitCode, output) = await CliProcess.RunAsync(null, "bench", "parity", "--quick", "--threads", "1", "--json", json);
        Assert.True(exitCode == 0, output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var parity = result.RootElement.GetProperty("parity");
        Assert.Equal(3, parity.GetProperty("torchSharpSeconds").GetArrayLength());
        Assert.Equal(3, parity.GetProperty("pyTorchSeconds").GetArrayLength());
        Assert.True(parity.GetProperty("ratio").GetDouble() > 0);
        Assert.True(parity.GetProperty("maxRelativeLogitDifference").GetDouble() <= 1e-4, output);
        Assert.Equal(1, result.RootElement.GetProperty("environment").GetProperty("threads").GetInt32());
    }

    [Fact]
    public async Task Unknown_and_unwritten_benchmarks_are_named()
    {
        var (unknown, unknownOutput) = await CliProcess.RunAsync(null, "bench", "speed");
        Assert.Equal(1, unknown);
        Assert.Contains("unknown benchmark 'speed'", unknownOutput);
        var (pending, pendingOutput) = await CliProcess.RunAsync(null, "bench", "roofline");
        Assert.Equal(2, pending);
        Assert.Contains("bench roofline: not implemented", pendingOutput);
    }
}
