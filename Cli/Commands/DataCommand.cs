using System.CommandLine;
using System.Text.Json;
using SegCluster.Learning.Data;
using Spectre.Console;
using SegCluster.Experiment;

namespace SegCluster.Cli.Commands;

/// <summary>`segcluster data generate|summary`: the generated default data set, and checking real data before a run.</summary>
public static class DataCommand
{
    public static Command Create() => new("data", "Generate the synthetic data set, or summarise a PASCAL-5i data set")
    {
        Generate(),
        Summary(),
        Episodes(),
    };

    /// <summary>Writes the test episodes a run with this seed would sample, so other runs and machines can use exactly these.</summary>
    private static Command Episodes()
    {
        var voc = new Option<DirectoryInfo>("--voc") { Required = true };
        var sbd = new Option<DirectoryInfo?>("--sbd");
        var aug = new Option<DirectoryInfo?>("--aug");
        var output = new Option<DirectoryInfo>("--out") { Description = "folder for fold{f}-{k}shot.txt", Required = true };
        var folds = new Option<int[]>("--folds") { AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [0, 1, 2, 3] };
        var shots = new Option<int[]>("--shots") { AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1, 5] };
        var episodes = new Option<int>("--episodes") { DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1 };
        var sampler = new Option<string>("--" + RunSettings.TestSampler.Flag) { Description = $"{RunSettings.TestSampler.Help} (default: {RunSettings.TestSampler.DefaultText})" };
        var command = new Command("episodes", "Export the seeded test episodes (query, class, supports) per fold and shot count, paired across shot counts")
            { voc, sbd, aug, output, folds, shots, episodes, seed, sampler };
        command.SetAction(parse =>
        {
            var config = RunSettings.TestSampler.Parse(RunSettings.PaperProtocol, parse.GetValue(sampler) ?? "") with
            {
                Voc = parse.GetValue(voc)!.FullName, Sbd = parse.GetValue(sbd)?.FullName, Aug = parse.GetValue(aug)?.FullName,
                Episodes = parse.GetValue(episodes), Seed = parse.GetValue(seed),
            };
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var catalog = DataCatalog.Scan(new DataSources(config.Voc, config.Sbd, config.Aug));
            foreach (var fold in parse.GetValue(folds)!)
            {
                var split = FoldSplit.Build(catalog, fold);
                foreach (var k in parse.GetValue(shots)!)
                {
                    var path = FoldPlan.EpisodeListPath(folder, fold, k);
                    Episode.Save(path, Grains.FoldSetup.Episodes(config, split, k));
                    Console.WriteLine($"wrote {path}");
                }
            }
            return 0;
        });
        return command;
    }

    private static Command Generate()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "folder to write", Required = true };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1 };
        var images = new Option<int>("--images") { DefaultValueFactory = _ => 600 };
        var size = new Option<int>("--size") { Description = "image side in pixels", DefaultValueFactory = _ => 128 };
        var command = new Command("generate", "Write the synthetic PASCAL-format data set (VOCdevkit + SBD layouts)") { output, seed, images, size };
        command.SetAction(parse =>
        {
            var layout = SyntheticPascal.Generate(parse.GetValue(output)!.FullName,
                new SyntheticPascal.Options(parse.GetValue(images), parse.GetValue(size), parse.GetValue(seed)));
            Console.WriteLine($"wrote {parse.GetValue(images)} images under {layout.Root}");
            return 0;
        });
        return command;
    }

    private static Command Summary()
    {
        var voc = new Option<DirectoryInfo>("--voc") { Description = "VOCdevkit or VOC2012 folder", Required = true };
        var sbd = new Option<DirectoryInfo?>("--sbd") { Description = "benchmark_RELEASE or its dataset folder" };
        var aug = new Option<DirectoryInfo?>("--aug") { Description = "SegmentationClassAug folder" };
        var json = new Option<FileInfo?>("--json") { Description = "write the summary as JSON" };
        var skipBad = new Option<bool>("--skip-bad") { Description = "report unreadable files and go on" };
        var command = new Command("summary", "Per fold: D_train and D_test sizes, per-class image and pixel counts; every image read") { voc, sbd, aug, json, skipBad };
        command.SetAction(async (parse, cancel) =>
        {
            var sources = new DataSources(parse.GetValue(voc)!.FullName, parse.GetValue(sbd)?.FullName, parse.GetValue(aug)?.FullName);
            var summary = DataSummary.Build(DataCatalog.Scan(sources, parse.GetValue(skipBad)));
            var table = new Table().AddColumns("fold", "test classes", "D_train images", "D_test images");
            foreach (var fold in summary.Folds)
                table.AddRow(fold.Fold.ToString(), string.Join(", ", fold.TestClasses), fold.TrainImages.ToString(), fold.TestImages.ToString());
            AnsiConsole.Write(table);
            foreach (var bad in summary.BadFiles) AnsiConsole.MarkupLineInterpolated($"[yellow]skipped[/] {bad}");
            if (parse.GetValue(json) is { } file)
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), cancel);
            return 0;
        });
        return command;
    }
}
