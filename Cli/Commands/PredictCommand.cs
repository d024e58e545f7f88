using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SegCluster.Client;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Grains;
using SegCluster.Learning.Data;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Training;
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
            var record = await store.ReadRunAsync(runId, cancel) ?? throw new ArgumentException($"--run: no run '{runId}' in the database");
            var config = RunSettings.Upgrade(JsonSerializer.Deserialize<RunConfig>(record.ConfigJson)
                ?? throw new InvalidOperationException($"run {runId}: its stored config is empty"));
            var foldNumber = parse.GetValue(fold);
            if (!config.Folds.Contains(foldNumber)) throw new ArgumentException($"--fold: run {runId} trained folds {string.Join(", ", config.Folds)}");
            Method chosen;
            try { chosen = Names.Parse<Method>(parse.GetValue(method) ?? Method.Oslsm.Name()); }
            catch (FormatException e) { throw new ArgumentException($"--method: {e.Message}"); }

            var checkpoint = await CheckpointOfAsync(store, runId, foldNumber, chosen, cancel);
            var supportExamples = ReadSupports(parse.GetValue(supports)!, parse.GetValue(masks)!);
            try
            {
                var classId = ClassOf(parse.GetValue(classOption), supportExamples.Select(s => s.Example.Mask).ToList());
                var folder = parse.GetValue(output)!.FullName;
                Directory.CreateDirectory(folder);
                using var models = new ModelCache();
                var deviceText = parse.GetValue(device)!;
                var solver = new SolverFactory(models, Options.Create(new SiloSettings { Devices = [deviceText], ScoringDevice = deviceText }))
                    .Create(chosen, config, foldNumber, checkpoint?.Path ?? "");
                var written = new List<object>();
                foreach (var path in parse.GetValue(queries)!)
                {
                    using var query = ImageFiles.ReadRgb(path);
                    var predicted = solver.Predict(new EpisodeInput(query, [.. supportExamples.Select(s => s.Example)], classId));
                    var name = Path.GetFileNameWithoutExtension(path);
                    var maskPath = Path.Combine(folder, name + ".png");
                    PaletteMaskWriter.Write(maskPath, new SegmentationMask(query.Width, query.Height, [.. predicted.Select(p => p == 1 ? (byte)classId : (byte)0)]));
                    var overlayPath = Path.Combine(folder, name + "-overlay.png");
                    await File.WriteAllBytesAsync(overlayPath, EpisodeGallery.OverlayPng(query, predicted), cancel);
                    written.Add(new { query = Path.GetFullPath(path), mask = maskPath, overlay = overlayPath, foregroundShare = predicted.Count(p => p == 1) / (double)predicted.Length });
                    Console.WriteLine($"wrote {maskPath} and {overlayPath}");
                }
                await File.WriteAllTextAsync(Path.Combine(folder, "prediction.json"), JsonSerializer.Serialize(new
                {
                    run = runId,
                    fold = foldNumber,
                    method = chosen.Name(),
                    @class = PascalClasses.Name(classId),
                    checkpoint = checkpoint is null ? null : new { path = checkpoint.Path, sha256 = checkpoint.Sha256, iteration = checkpoint.Iteration },
                    configHash = record.ConfigHash,
                    runProvenance = JsonDocument.Parse(record.ProvenanceJson).RootElement,
                    device = TorchDevices.Describe(solver.Device),
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

    /// <summary>The latest stored checkpoint of the network the method reads, verified; null for the references, which read none.</summary>
    private static async Task<CheckpointRow?> CheckpointOfAsync(ResultsStore store, string runId, int fold, Method method, CancellationToken cancel)
    {
        if (method.NetworkOf() is not { } network) return null;
        var latest = (await store.ReadCheckpointsAsync(runId, cancel)).Where(c => c.Fold == fold && c.Network == network).MaxBy(c => c.Iteration)
            ?? throw new ArgumentException($"--fold: run {runId} has no {network} checkpoint for fold {fold} ({method.Name()} reads it)");
        CheckpointFile.Verify(latest.Path);
        return latest;
    }

    private sealed record Support(SupportExample Example, string ImagePath, string MaskPath);

    private static List<Support> ReadSupports(string[] images, string[] masks)
    {
        if (images.Length != masks.Length) throw new ArgumentException($"--support-mask: {masks.Length} mask(s) for {images.Length} support image(s)");
        var supports = new List<Support>();
        try
        {
            foreach (var (image, maskPath) in images.Zip(masks))
            {
                var mask = ImageFiles.ReadPngMask(maskPath);
                var photo = ImageFiles.ReadRgb(image);
                if (photo.Width != mask.Width || photo.Height != mask.Height)
                {
                    photo.Dispose();
                    throw new DataFileException(maskPath, $"is {mask.Width}x{mask.Height}, its image {image} {photo.Width}x{photo.Height}");
                }
                supports.Add(new Support(new SupportExample(photo, mask), Path.GetFullPath(image), Path.GetFullPath(maskPath)));
            }
            return supports;
        }
        catch
        {
            foreach (var s in supports) s.Example.Image.Dispose();
            throw;
        }
    }

    /// <summary>The class by name or label, or (none given) the one class every support mask shows.</summary>
    private static int ClassOf(string? given, IReadOnlyList<SegmentationMask> masks)
    {
        var shared = masks.Select(m => m.ClassesPresent()).Aggregate((a, b) => [.. a.Intersect(b)]);
        int classId;
        if (given is null)
        {
            if (shared.Count != 1)
                throw new ArgumentException(shared.Count == 0 ? "--support-mask: the support masks share no class"
                    : $"--class: the support masks all show {string.Join(", ", shared.Select(PascalClasses.Name))}; name one");
            classId = shared[0];
        }
        else classId = int.TryParse(given, out var label) && label is >= 1 and <= PascalClasses.Count ? label : PascalClasses.Label(given);
        if (!shared.Contains(classId)) throw new ArgumentException($"--class: {PascalClasses.Name(classId)} is not in every support mask");
        return classId;
    }
}
