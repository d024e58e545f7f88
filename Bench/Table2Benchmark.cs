using System.Diagnostics;
using SegCluster.Contracts;
using SegCluster.Grains;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Bench;

/// <summary>
/// `bench table2`: seconds per episode of every method of the paper's Table 2, 1-shot and 5-shot where the paper
/// runs them, on the same preset, input size, episodes and thread count in one run (median, warm-up excluded);
/// each method's floating-point operations per episode and its time as a multiple of the FLOP-bound limit
/// (operations / the machine's fp32 matrix-multiply peak, measured in the same run). Networks carry seeded
/// random weights: time and operations do not depend on the weights.
/// </summary>
public static class Table2Benchmark
{
    public sealed record Settings(string Preset, int QuerySize, int SupportSize, int Threads, int Warmup, int Episodes, int FineTuneIterations);

    public static Settings Tiny(int threads, bool quick) => new("tiny", 128, 64, threads, quick ? 1 : 3, quick ? 3 : 30, quick ? 10 : 100);

    /// <summary>VGG-16 at the paper's 500x500; fine-tuning at 20 steps per episode (its time grows linearly with them).</summary>
    public static Settings Vgg16(int threads, bool quick) => new("vgg16-fcn32s", quick ? 160 : 500, 224, threads, 1, quick ? 1 : 3, quick ? 2 : 20);

    /// <param name="MultipleOfLimit">time / (operations / the matmul peak): the goal's measure</param>
    /// <param name="MultipleOfConvolutionLimit">time / (operations / the convolution rate): the stricter ceiling</param>
    public sealed record MethodResult(Method Method, int Shots, int Episodes, double MedianSeconds, double GigaFlops, double LimitSeconds,
        double MultipleOfLimit, double MultipleOfConvolutionLimit, double? RatioToOslsm, double? PaperSeconds, double? PaperRatioToOslsm);

    public sealed record Result(Settings Settings, PeakRates Peak, IReadOnlyList<MethodResult> Methods, double? OslsmFiveToOneShot,
        double OslsmFiveToOneShotOperations);

    private const int LogRegIterations = 200, CosegIterations = 10;

    public static Result Run(Settings settings, Action<string> log)
    {
        TorchRuntime.Configure(settings.Threads);
        var peak = PeakRates.Measure();
        log($"fp32 matmul peak {peak.MatmulGigaFlopsPerSecond:F1} GFLOP/s, 3x3 convolution {peak.ConvolutionGigaFlopsPerSecond:F1} GFLOP/s, {settings.Threads} thread(s)");

        var root = Directory.CreateTempSubdirectory("segcluster-table2-").FullName;
        try
        {
            var data = SyntheticPascal.Generate(root, new SyntheticPascal.Options(Images: 240, Size: 64, Seed: 1));
            var split = FoldSplit.Build(DataCatalog.Scan(data.Sources), 0);
            var images = split.Test.ToDictionary(i => i.Id);
            var preset = OslsmPreset.Named(settings.Preset) with { QuerySize = settings.QuerySize, SupportSize = settings.SupportSize };
            using var oslsm = new OslsmNetwork(preset, 1, CPU);
            using var baseClassifier = new PixelClassifierNetwork(preset, 1, CPU);
            using var siamese = new SiameseNetwork(preset, 1, CPU);
            foreach (var network in new nn.Module[] { oslsm, baseClassifier, siamese }) network.eval();
            var config = RunSettings.PaperProtocol with { FineTuneIterations = settings.FineTuneIterations };
            var cells = FeatureCells(baseClassifier, preset);
            var fullyConnected = FullyConnectedFlops(baseClassifier, preset);

            var results = new List<MethodResult>();
            foreach (var shots in new[] { 1, 5 })
            {
                var episodes = new EpisodeSampler(split.Test, shots, SeededRandom.Derive(1, $"table2-{shots}"))
                    .Take(settings.Warmup + settings.Episodes).Select(e => EpisodeEvaluator.Load(e, images)).ToList();
                foreach (var method in MethodCatalog.PaperMethods.Where(m => m.Supports(shots)))
                {
                    log($"{method.Name()}, {shots}-shot: {settings.Episodes} episodes after {settings.Warmup} warm-up");
                    var solver = SolverFactory.Create(method, config, () => oslsm, () => baseClassifier, () => siamese);
                    var seconds = new List<double>();
                    for (var i = 0; i < episodes.Count; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        solver.Predict(episodes[i]);
                        if (i >= settings.Warmup) seconds.Add(clock.Elapsed.TotalSeconds);
                    }
                    double modules;
                    using (var a = new FlopCounter(oslsm))
                    using (var b = new FlopCounter(baseClassifier))
                    using (var c = new FlopCounter(siamese))
                    {
                        solver.Predict(episodes[0]);
                        modules = a.Total + b.Total + c.Total;
                    }
                    var flops = modules + SolverFlops(method, shots, cells, preset, fullyConnected, settings.FineTuneIterations);
                    var median = BenchEnvironment.Median(seconds);
                    var limit = flops / 1e9 / peak.MatmulGigaFlopsPerSecond;
                    results.Add(new MethodResult(method, shots, seconds.Count, median, flops / 1e9, limit, median / limit,
                        median / (flops / 1e9 / peak.ConvolutionGigaFlopsPerSecond), null,
                        PaperResults.Table2.TryGetValue((method, shots), out var paper) ? paper : null, null));
                }
            }
            var withRatios = results.Select(r =>
            {
                var reference = results.Single(o => o.Method == Method.Oslsm && o.Shots == r.Shots);
                var paperOslsm = PaperResults.Table2[(Method.Oslsm, r.Shots)];
                return r with { RatioToOslsm = r.MedianSeconds / reference.MedianSeconds, PaperRatioToOslsm = r.PaperSeconds / paperOslsm };
            }).ToList();
            var one = withRatios.Single(r => r.Method == Method.Oslsm && r.Shots == 1).MedianSeconds;
            var five = withRatios.Single(r => r.Method == Method.Oslsm && r.Shots == 5).MedianSeconds;
            var operations = withRatios.Single(r => r.Method == Method.Oslsm && r.Shots == 5).GigaFlops / withRatios.Single(r => r.Method == Method.Oslsm && r.Shots == 1).GigaFlops;
            return new Result(settings, peak, withRatios, five / one, operations);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>
    /// The operations the solvers do outside network modules, counted analytically from the feature grid (m query
    /// cells, n = k m support cells as an upper bound, C channels): distances, regression steps, the fine-tuned
    /// head's forward and backward passes (3x forward), clustering, similarity.
    /// </summary>
    private static double SolverFlops(Method method, int shots, long cells, OslsmPreset preset, double fullyConnected, int fineTuneIterations)
    {
        double m = cells, n = shots * cells, c = preset.FullyConnected, e = Math.Min(preset.FullyConnected, 256);
        return method switch
        {
            Method.Oslsm => 2 * shots * c * m,
            Method.NearestNeighbour => 3 * m * n * c,
            Method.LogisticRegression => LogRegIterations * 4 * n * c + 2 * m * c,
            Method.FineTuning => fineTuneIterations * 3 * shots * fullyConnected + fullyConnected,
            Method.Siamese => 2 * m * n * e,
            Method.Cosegmentation => CosegIterations * ((shots + 1) * m) * (3 * 2 * c + 2 * 2 * c),
            _ => 0,
        };
    }

    /// <summary>Cells of the trunk's feature grid for one query-size image.</summary>
    private static long FeatureCells(PixelClassifierNetwork network, OslsmPreset preset)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = network.Features(zeros(1, 3, preset.QuerySize, preset.QuerySize));
        return features.shape[2] * features.shape[3];
    }

    /// <summary>fc6 + fc7 operations for one query-size image (the part fine-tuning trains per episode).</summary>
    private static double FullyConnectedFlops(PixelClassifierNetwork network, OslsmPreset preset)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var counter = new FlopCounter(network);
        network.Features(zeros(1, 3, preset.QuerySize, preset.QuerySize));
        return counter.ByLayer.Where(l => l.Key.EndsWith("fc6", StringComparison.Ordinal) || l.Key.EndsWith("fc7", StringComparison.Ordinal)).Sum(l => l.Value);
    }
}
