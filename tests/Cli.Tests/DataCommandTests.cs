using SegCluster.Tests;
using System.Text.Json;
using SegCluster.Experiment;

namespace SegCluster.Cli.Tests;

/// <summary>`segcluster data summary` and `data generate` as a user runs them.</summary>
public sealed class DataCommandTests
{
    private static string Sample(string part) => Path.Combine(AppContext.BaseDirectory, "fixtures", "voc-sample", part);

    [Fact]
    public async Task Summary_of_the_real_sample_lists_every_image_and_the_fold_sizes()
    {
        var json = Path.Combine(Path.GetTempPath(), $"summary-{Guid.NewGuid():N}.json");
        var (exitCode, output) = await CliProcess.RunAsync(null, "data", "summary", "--voc", Sample("VOCdevkit"), "--sbd", Sample("benchmark_RELEASE"), "--json", json);
        Assert.True(exitCode == 0, output);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal(16, summary.RootElement.GetProperty("Images").GetArrayLength());
        var fold0 = summary.RootElement.GetProperty("Folds")[0];
        Assert.Equal(2, fold0.GetProperty("TestImages").GetInt32());
        Assert.Contains("aeroplane", output);
    }

    [Fact]
    public async Task Summary_of_a_missing_folder_names_it_and_fails()
    {
        var (exitCode, output) = await CliProcess.RunAsync(null, "data", "summary", "--voc", "/no/such/VOCdevkit");
        Assert.Equal(1, exitCode);
        Assert.Contains("/no/such/VOCdevkit: folder not found", output);
        Assert.DoesNotContain("   at ", output);   // a clear message, not a stack trace
    }

    [Fact]
    public async Task Generate_writes_the_pascal_layouts()
    {
        var root = Path.Combine(Path.GetTempPath(), $"generated-{Guid.NewGuid():N}");
        var (exitCode, output) = await CliProcess.RunAsync(null, "data", "generate", "--out", root, "--images", "40", "--size", "32");
        Assert.True(exitCode == 0, output);
        Assert.Equal(12, File.ReadAllLines(Path.Combine(root, "VOCdevkit", "VOC2012", "ImageSets", "Segmentation", "val.txt")).Length);
        Assert.Equal(16, Directory.GetFiles(Path.Combine(root, "benchmark_RELEASE", "dataset", "cls"), "*.mat").Length);
    }

    [Fact]
    public async Task Exported_episodes_are_the_ones_a_run_with_that_seed_uses()
    {
        var root = Path.Combine(Path.GetTempPath(), $"episodes-{Guid.NewGuid():N}");
        var layout = Learning.Data.SyntheticPascal.Generate(Path.Combine(root, "data"), new(Images: 300, Size: 32, Seed: 2));
        var folder = Path.Combine(root, "episodes");
        var (exitCode, output) = await CliProcess.RunAsync(null, "data", "episodes", "--voc", Path.GetDirectoryName(layout.Voc)!,
            "--sbd", Path.GetDirectoryName(layout.Sbd)!, "--out", folder, "--folds", "2", "--shots", "1", "2", "--episodes", "25", "--seed", "9");
        Assert.True(exitCode == 0, output);
        // Paired: episode i of 2-shot has the query, class and first support of episode i of 1-shot.
        var one = Learning.Data.Episode.Load(Path.Combine(folder, "fold2-1shot.txt"));
        var two = Learning.Data.Episode.Load(Path.Combine(folder, "fold2-2shot.txt"));
        Assert.Equal(one.Select(e => e.ToString()), two.Select(e => $"{e.QueryId} {e.ClassId} {e.SupportIds[0]}"));
        Assert.All(two, e => Assert.Equal(2, e.SupportIds.Distinct().Count()));

        var config = RunSettings.PaperProtocol with { Episodes = 25, Seed = 9 };
        var split = Learning.Data.FoldSplit.Build(Learning.Data.DataCatalog.Scan(layout.Sources), 2);
        var sampled = Grains.FoldSetup.Episodes(config, split, 1).Select(e => e.ToString()).ToList();
        var imported = Grains.FoldSetup.Episodes(config with { Seed = 12345, EpisodeLists = folder }, split, 1).Select(e => e.ToString()).ToList();
        Assert.Equal(25, imported.Count);
        Assert.Equal(sampled, imported);
        Assert.Throws<DataFileException>(() => Grains.FoldSetup.Episodes(config with { EpisodeLists = folder }, split, 5));
    }
}
