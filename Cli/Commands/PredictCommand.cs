using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Grains;
using SegCluster.Learning.Data;
using SegCluster.Storage;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster predict`: a trained fold of a stored run segments a user's query images from their supports: each
/// query's predicted mask (a VOC palette PNG, the class's label where predicted) and an overlay, with the
/// checkpoint's provenance in prediction.json.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "the run whose trained fold predicts", Required = true };
        var fold = new Option<int>("--fold") { Description = "the fold (0..3) whose networks predict", Required = true };
        var method = new Option<string>("--method") { Description = $"the method: {string.Join(", ", Names.Of<Method>())} (default: oslsm)" };
        var supports = new Option<string[]>("--support") { Description = "a support image (repeat for k supports)", Required = true };
        var masks = new Option<string[]>("--support-mask") { Description = "its label mask (VOC palette or gray PNG), one per --support", Required = true };
        var queries = new Option<string[]>("--query") { Description = "query images", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "folder for the masks, overlays and prediction.json", Required = true };
        var classOption = new Option<string?>("--class") { Description = "the class to segment, by name or label (default: the one class every support mask shows)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N (default: cpu)", DefaultValueFactory = _ => "cpu" };
        var command = new Command("predict", "Segment your own query images with a trained fold of a stored run")
            { run, fold, method, supports, masks, queries, output, classOption, device };
        command.SetAction(async (parse, cancel) =>
        {
            var runId = parse.GetValue(run)!;
            var store = new ResultsStore(ClusterSettings.ConnectionString());
            using var models = new ModelCache();
            var deviceText = parse.GetValue(device)!;
            var solvers = new SolverFactory(models, Options.Create(new SiloSettings { Devices = [deviceText], ScoringDevice = deviceText }));
            var predictor = await FoldPredictor.OpenAsync(store, solvers, runId, parse.GetValue(fold), parse.GetValue(method) ?? Method.Oslsm.Name(), cancel);
            var supportExamples = FoldPredictor.ReadSupports(parse.GetValue(supports)!, parse.GetValue(masks)!);
            try
            {
                var classId = FoldPredictor.ClassOf(parse.GetValue(classOption), supportExamples.Select(s => s.Example.Mask).ToList());
                var folder = parse.GetValue(output)!.FullName;
                Directory.CreateDirectory(folder);
                var written = new List<object>();
                foreach (var path in parse.GetValue(queries)!)
                {
                    var predicted = predictor.Predict(path, supportExamples, classId);
                    var name = Path.GetFileNameWithoutExtension(path);
                    var maskPath = Path.Combine(folder, name + ".png");
                    await File.WriteAllBytesAsync(maskPath, PaletteMaskWriter.Png(predicted.Mask), cancel);
                    var overlayPath = Path.Combine(folder, name + "-overlay.png");
                    await File.WriteAllBytesAsync(overlayPath, predicted.OverlayPng, cancel);
                    written.Add(new { query = Path.GetFullPath(path), mask = maskPath, overlay = overlayPath, foregroundShare = predicted.ForegroundShare });
                    Console.WriteLine($"wrote {maskPath} and {overlayPath}");
                }
                var checkpoint = predictor.Checkpoint;
                await File.WriteAllTextAsync(Path.Combine(folder, "prediction.json"), JsonSerializer.Serialize(new
                {
                    run = runId,
                    fold = predictor.Fold,
                    method = predictor.Method.Name(),
                    @class = PascalClasses.Name(classId),
                    checkpoint = checkpoint is null ? null : new { path = checkpoint.Path, sha256 = checkpoint.Sha256, iteration = checkpoint.Iteration },
                    configHash = predictor.Record.ConfigHash,
                    runProvenance = JsonDocument.Parse(predictor.Record.ProvenanceJson).RootElement,
                    device = predictor.Device,
                    supports = supportExamples.Select(s => new { image = s.ImagePath, mask = s.MaskPath }),
                    queries = written,
                }, new JsonSerializerOptions { WriteIndented = true }), cancel);
                return 0;
            }
            finally
            {
                foreach (var s in supportExamples) s.Example.Image.Dispose();
            }
        });
        return command;
    }
}
