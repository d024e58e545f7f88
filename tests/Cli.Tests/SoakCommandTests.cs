using SegCluster.Tests;

namespace SegCluster.Cli.Tests;

/// <summary>
/// `segcluster soak --quick`: one run under a training-silo kill, a scoring-silo kill and a database outage on one
/// cluster (the conditions under which a resumed fold once lost 5 of its 60 training points) ends equal to the same
/// run undisturbed.
/// </summary>
public sealed class SoakCommandTests
{
    [Fact]
    public async Task A_quick_soak_strikes_three_kinds_of_fault_and_ends_equal_to_the_undisturbed_run()
    {
        var json = Path.Combine(Path.GetTempPath(), $"segcluster-soak-{Guid.NewGuid():N}.json");
        var (exitCode, output) = await CliProcess.RunAsync(null, "soak", "--quick", "--seed", "3", "--json", json);
        Assert.True(exitCode == 0, output);
        using var result = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = result.RootElement;
        Assert.True(root.GetProperty("equal").GetBoolean());
        var struck = root.GetProperty("faults").EnumerateArray().Where(f => f.GetProperty("injected").GetBoolean())
            .Select(f => f.GetProperty("fault").GetProperty("kind").GetString()).ToList();
        Assert.Equal(["KillScoringSilo", "KillTrainingSilo", "StopDatabase"], struck.Order());
        var checks = root.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("equal").GetBoolean());
        foreach (var check in new[] { "training points", "final weights", "stored counts", "batches stored once", "folds done", "slots released", "follower" })
            Assert.True(checks[check], check);
    }
}
