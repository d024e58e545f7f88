using System.Text.Json;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using SegCluster.Storage;
using SegCluster.Tests;
using static TorchSharp.torch;

namespace SegCluster.Cli.Tests;

/// <summary>`segcluster predict` on genuine VOC photos of the shared sample, with a stored run's fold checkpoint.</summary>
public sealed class PredictCommandTests
{
    private static string Sample(string part) => Path.Combine(AppContext.BaseDirectory, "fixtures", "voc-sample", "VOCdevkit", "VOC2012", part);

    [Fact]
    public async Task A_stored_fold_segments_real_photos_and_records_its_checkpoint()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var store = new ResultsStore(database.ConnectionString);
        var config = RunSettings.PaperProtocol with { RunId = "predict", Folds = [2], Preset = "tiny", QuerySize = 64, SupportSize = 64, Seed = 3 };
        await store.CreateRunAsync("predict", JsonSerializer.Serialize(config), "config-hash", "{\"gitCommit\":\"abc\"}", [(2, 10)]);
        var path = Path.Combine(Directory.CreateTempSubdirectory("segcluster-predict-").FullName, "iter-00000010.ckpt");
        CheckpointInfo saved;
        using (var network = new OslsmNetwork(OslsmPreset.Tiny with { QuerySize = 64, SupportSize = 64 }, 5, CPU))
        using (var optimizer = new OslsmOptimizer(Optimizer.Adam, 0.9, (network.parameters(), 1e-3)))
            saved = CheckpointFile.Save(path, network, optimizer, 10, [0UL], "{}");
        await store.AddCheckpointAsync("predict", 2, "oslsm", 10, path, saved.Sha256, saved.Bytes);

        var output = Path.Combine(Path.GetTempPath(), $"predict-{Guid.NewGuid():N}");
        var (exitCode, text) = await CliProcess.RunAsync(database.ConnectionString, "predict", "--run", "predict", "--fold", "2",
            "--support", Sample("JPEGImages/2008_002536.jpg"), "--support-mask", Sample("SegmentationClass/2008_002536.png"),
            "--query", Sample("JPEGImages/2007_004189.jpg"), Sample("JPEGImages/2007_001763.jpg"), "--class", "dog", "--out", output);
        Assert.True(exitCode == 0, text);

        // Each query's mask: a VOC palette PNG at the photo's size holding the dog's label where predicted, and an overlay.
        foreach (var (id, width, height) in new[] { ("2007_004189", 500, 333), ("2007_001763", 500, 375) })
        {
            var mask = ImageFiles.ReadPngMask(Path.Combine(output, id + ".png"));
            Assert.Equal((width, height), (mask.Width, mask.Height));
            Assert.All(mask.Labels.Distinct(), v => Assert.Contains(v, new byte[] { 0, 12 }));
            using var overlay = ImageFiles.ReadRgb(Path.Combine(output, id + "-overlay.png"));
            Assert.Equal((width, height), (overlay.Width, overlay.Height));
        }
        using var provenance = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "prediction.json")));
        Assert.Equal(saved.Sha256, provenance.RootElement.GetProperty("checkpoint").GetProperty("sha256").GetString());
        Assert.Equal("config-hash", provenance.RootElement.GetProperty("configHash").GetString());   // the run's, as submitted
        Assert.Equal(("dog", "oslsm", "abc"), (provenance.RootElement.GetProperty("class").GetString(), provenance.RootElement.GetProperty("method").GetString(),
            provenance.RootElement.GetProperty("runProvenance").GetProperty("gitCommit").GetString()));

        // Bad input: a mask of another size names its file; masks showing two classes ask for --class; an untrained fold is named.
        var (wrongSize, message) = await CliProcess.RunAsync(database.ConnectionString, "predict", "--run", "predict", "--fold", "2",
            "--support", Sample("JPEGImages/2008_002536.jpg"), "--support-mask", Sample("SegmentationClass/2007_004189.png"),
            "--query", Sample("JPEGImages/2007_004189.jpg"), "--out", output);
        Assert.Equal(1, wrongSize);
        Assert.Contains("2007_004189.png: is 500x333, its image", message);
        var (ambiguous, which) = await CliProcess.RunAsync(database.ConnectionString, "predict", "--run", "predict", "--fold", "2",
            "--support", Sample("JPEGImages/2008_002536.jpg"), "--support-mask", Sample("SegmentationClass/2008_002536.png"),
            "--query", Sample("JPEGImages/2007_004189.jpg"), "--out", output);
        Assert.Equal(1, ambiguous);
        Assert.Contains("--class: the support masks all show dog, sheep; name one", which);
        var (untrained, fold) = await CliProcess.RunAsync(database.ConnectionString, "predict", "--run", "predict", "--fold", "3",
            "--support", Sample("JPEGImages/2008_002536.jpg"), "--support-mask", Sample("SegmentationClass/2008_002536.png"),
            "--query", Sample("JPEGImages/2007_004189.jpg"), "--out", output);
        Assert.Equal(1, untrained);
        Assert.Contains("--fold: run predict trained folds 2", fold);
    }
}
