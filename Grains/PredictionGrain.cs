using Orleans.Concurrency;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Data;
using SegCluster.Storage;

namespace SegCluster.Grains;

/// <summary>
/// The dashboard's predictions: the uploads are written to a private temporary folder under their own names and read
/// by the same readers as `segcluster predict`'s files (so a bad file gets the same error, naming the upload), then the
/// fold predicts on a torch worker. One activation per silo; any silo can answer.
/// </summary>
[StatelessWorker(1)]
public sealed class PredictionGrain(ILocalSiloDetails silo, ResultsStore results, SolverFactory solvers, TorchWorkers workers) : Grain, IPredictionGrain
{
    public async Task<PredictionResult> PredictAsync(PredictionRequest request)
    {
        var folder = Directory.CreateTempSubdirectory("segcluster-predict-").FullName;
        try
        {
            var supports = request.Supports.Select((f, i) => Save(folder, $"support{i}", f, "--support")).ToList();
            var masks = request.SupportMasks.Select((f, i) => Save(folder, $"mask{i}", f, "--support-mask")).ToList();
            var query = Save(folder, "query", request.Query, "--query");
            if (supports.Count == 0) throw new ArgumentException("--support: at least one support image");
            var predictor = await FoldPredictor.OpenAsync(results, solvers, request.RunId, request.Fold, request.Method, CancellationToken.None);
            return await workers.RunAsync(() =>
            {
                var examples = FoldPredictor.ReadSupports(supports, masks);
                try
                {
                    var classId = FoldPredictor.ClassOf(request.Class, [.. examples.Select(e => e.Example.Mask)]);
                    var predicted = predictor.Predict(query, examples, classId);
                    return new PredictionResult(PaletteMaskWriter.Png(predicted.Mask), predicted.OverlayPng, PascalClasses.Name(classId), predicted.ForegroundShare,
                        predictor.Checkpoint?.Sha256, predictor.Checkpoint?.Iteration ?? 0, predictor.Device, silo.SiloAddress.ToParsableString());
                }
                finally
                {
                    foreach (var e in examples) e.Example.Image.Dispose();
                }
            });
        }
        catch (DataFileException e)
        {
            // The message names the upload, not the temporary folder it was read from.
            throw new ArgumentException(e.Message.Replace(folder + Path.DirectorySeparatorChar, ""));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Writes an upload as {role}/{its file name} and returns the path.</summary>
    private static string Save(string folder, string role, UploadedFile file, string option)
    {
        if (file.Bytes.Length == 0) throw new ArgumentException($"{option}: '{file.Name}' is empty");
        if (file.Bytes.Length > UploadedFile.MaxBytes) throw new ArgumentException($"{option}: '{file.Name}' is over {UploadedFile.MaxBytes >> 20} MiB");
        var name = Path.GetFileName(file.Name);
        if (name.Length == 0 || name.Length > 200) throw new ArgumentException($"{option}: '{file.Name}' is not a file name");
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(folder, role)).FullName, name);
        File.WriteAllBytes(path, file.Bytes);
        return path;
    }
}
