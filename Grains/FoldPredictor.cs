using System.Text.Json;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Training;
using SegCluster.Storage;

namespace SegCluster.Grains;

/// <summary>A support image and its label mask, read from files, with the paths they came from.</summary>
public sealed record PredictionSupport(SupportExample Example, string ImagePath, string MaskPath);

/// <summary>A query's prediction: its label mask (the class where predicted), the overlay PNG, and the predicted share of its pixels.</summary>
public sealed record PredictedQuery(SegmentationMask Mask, byte[] OverlayPng, double ForegroundShare);

/// <summary>
/// A stored run's trained fold put to use on a user's images, for `segcluster predict` and the dashboard's prediction
/// page (through <see cref="PredictionGrain"/>): the run's config and the latest verified checkpoint of the network the
/// method reads, the supports and their masks read as the data readers read them, the class every mask shows.
/// </summary>
public sealed class FoldPredictor
{
    private FoldPredictor(RunRecord record, int fold, Method method, CheckpointRow? checkpoint, IEpisodeSolver solver)
    {
        (Record, Fold, Method, Checkpoint, Solver) = (record, fold, method, checkpoint, solver);
    }

    public RunRecord Record { get; }
    public int Fold { get; }
    public Method Method { get; }

    /// <summary>The checkpoint the method reads; null for the references (all-foreground, copy-support-mask), which read none.</summary>
    public CheckpointRow? Checkpoint { get; }
    public IEpisodeSolver Solver { get; }

    /// <summary>Errors name the option they are about (<c>--fold</c>, <c>--method</c>), as the CLI and the page both present them.</summary>
    public static async Task<FoldPredictor> OpenAsync(ResultsStore store, SolverFactory solvers, string runId, int fold, string method, CancellationToken cancel)
    {
        var record = await store.ReadRunAsync(runId, cancel) ?? throw new ArgumentException($"--run: no run '{runId}' in the database");
        var config = RunSettings.Upgrade(JsonSerializer.Deserialize<RunConfig>(record.ConfigJson)
            ?? throw new InvalidOperationException($"run {runId}: its stored config is empty"));
        if (!config.Folds.Contains(fold)) throw new ArgumentException($"--fold: run {runId} trained folds {string.Join(", ", config.Folds)}");
        Method chosen;
        try { chosen = Names.Parse<Method>(method); }
        catch (FormatException e) { throw new ArgumentException($"--method: {e.Message}"); }
        CheckpointRow? checkpoint = null;
        if (chosen.NetworkOf() is { } network)
        {
            checkpoint = (await store.ReadCheckpointsAsync(runId, cancel)).Where(c => c.Fold == fold && c.Network == network).MaxBy(c => c.Iteration)
                ?? throw new ArgumentException($"--fold: run {runId} has no {network} checkpoint for fold {fold} ({chosen.Name()} reads it)");
            CheckpointFile.Verify(checkpoint.Path);
        }
        return new FoldPredictor(record, fold, chosen, checkpoint, solvers.Create(chosen, config, fold, checkpoint?.Path ?? ""));
    }

    public string Device => TorchDevices.Describe(Solver.Device);

    /// <summary>Reads each support image with its mask (same size, a readable label PNG); the caller disposes the images.</summary>
    public static List<PredictionSupport> ReadSupports(IReadOnlyList<string> images, IReadOnlyList<string> masks)
    {
        if (images.Count != masks.Count) throw new ArgumentException($"--support-mask: {masks.Count} mask(s) for {images.Count} support image(s)");
        var supports = new List<PredictionSupport>();
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
                supports.Add(new PredictionSupport(new SupportExample(photo, mask), Path.GetFullPath(image), Path.GetFullPath(maskPath)));
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
    public static int ClassOf(string? given, IReadOnlyList<SegmentationMask> masks)
    {
        var shared = masks.Select(m => m.ClassesPresent()).Aggregate((a, b) => [.. a.Intersect(b)]);
        int classId;
        if (string.IsNullOrWhiteSpace(given))
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

    /// <summary>Segments one query image file for the class from the supports.</summary>
    public PredictedQuery Predict(string queryPath, IReadOnlyList<PredictionSupport> supports, int classId)
    {
        using var query = ImageFiles.ReadRgb(queryPath);
        var predicted = Solver.Predict(new EpisodeInput(query, [.. supports.Select(s => s.Example)], classId));
        return new PredictedQuery(new SegmentationMask(query.Width, query.Height, [.. predicted.Select(p => p == 1 ? (byte)classId : (byte)0)]),
            EpisodeGallery.OverlayPng(query, predicted), predicted.Count(p => p == 1) / (double)predicted.Length);
    }
}
