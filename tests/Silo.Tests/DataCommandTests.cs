using System.Text.Json;

namespace SegCluster.Silo.Tests;

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
        Assert.Equal(20, summary.RootElement.GetProperty("Images").GetArrayLength());
        var fold0 = summary.RootElement.GetProperty("Folds")[0];
        Assert.Equal(4, fold0.GetProperty("TestImages").GetInt32());
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
}
