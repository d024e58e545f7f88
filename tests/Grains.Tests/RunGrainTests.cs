using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Tests;

namespace SegCluster.Grains.Tests;

/// <summary>What the run grain refuses before any fold starts, on a silo in the test process.</summary>
public sealed class RunGrainTests(InProcessClusterFixture cluster) : IClassFixture<InProcessClusterFixture>
{
    [Fact]
    public async Task An_invalid_config_is_refused_naming_the_field_and_writes_nothing()
    {
        var config = SmallRuns.On(cluster.Data, "invalid", [0, 7]) with { Voc = "/etc/../no/such/folder" };
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => cluster.Client.GetGrain<IRunGrain>(config.RunId).StartAsync(config, null));
        Assert.Contains("folds", error.Message);
        Assert.Contains("voc", error.Message);
        Assert.Equal(0, await cluster.RunRowsAsync("invalid"));
    }

    [Fact]
    public async Task Every_bad_run_config_of_the_corpus_is_refused_by_the_cluster_which_stays_up_and_writes_nothing()
    {
        var refused = 0;
        foreach (var file in Directory.GetFiles(Path.Combine(BadInputCorpusTests.Corpus, "configs"), "*.json").Order())
        {
            RunConfig config;
            var copy = Path.Combine(Path.GetTempPath(), $"corpus-{Guid.NewGuid():N}.json");
            try
            {
                File.WriteAllText(copy, File.ReadAllText(file).Replace("{root}", Path.GetDirectoryName(Path.GetDirectoryName(cluster.Data.Voc))!));
                config = RunConfigFile.Load(copy, SmallRuns.On(cluster.Data, $"corpus-{refused}", [0]));
            }
            catch (DataFileException) { continue; }   // refused before it could be sent (the corpus test covers these)
            finally { File.Delete(copy); }
            var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => cluster.Client.GetGrain<IRunGrain>(
                config.RunId.Length is > 0 and <= 64 ? config.RunId : "corpus-long").StartAsync(config, null));
            Assert.Matches("^(invalid run config: |runId: )", error.Message);
            refused++;
        }
        Assert.True(refused >= 15, $"{refused} configs reached the cluster");
        Assert.Equal(0, await cluster.RunRowsAsync());
    }

    [Fact]
    public async Task A_class_without_test_images_is_refused_at_launch_and_writes_nothing()
    {
        // A pixel minimum no object reaches leaves every class of fold 1 without images.
        var config = SmallRuns.On(cluster.Data, "uncovered", [1]) with { MinClassPixels = 1_000_000 };
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => cluster.Client.GetGrain<IRunGrain>(config.RunId).StartAsync(config, null));
        Assert.StartsWith("fold 1: class bus is in 0 image(s) of D_test", error.Message);
        Assert.Equal(0, await cluster.RunRowsAsync("uncovered"));
    }
}
