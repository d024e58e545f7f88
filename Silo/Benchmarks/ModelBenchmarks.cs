using System.Diagnostics;
using System.Text.RegularExpressions;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;

namespace SegCluster.Silo.Benchmarks;

/// <summary>The preset and sizes a model benchmark runs at.</summary>
public sealed record ModelSettings(string Preset, int QuerySize, int SupportSize, int Threads, int Warmup, int Repeats)
{
    public static ModelSettings For(bool quick, int threads) =>
        quick ? new("tiny", 128, 64, threads, 1, 3) : new("vgg16-fcn32s", 500, 224, threads, 1, 3);

    public OslsmPreset ResolvedPreset => OslsmPreset.Named(Preset) with { QuerySize = QuerySize, SupportSize = SupportSize };
}

/// <summary>
/// `bench roofline`: OSLSM forward operations (counted per layer by forward hooks) over its median time, as a share
/// of the fp32 matrix-multiply peak measured in the same run.
/// </summary>
public static class RooflineBenchmark
{
    public sealed record Result(ModelSettings Settings, int Shots, double GigaFlops, double MedianSeconds, double AchievedGigaFlopsPerSecond,
        double PeakGigaFlopsPerSecond, double ShareOfPeak, IReadOnlyDictionary<string, double> GigaFlopsByLayer);

    public static IReadOnlyList<Result> Run(ModelSettings settings, Action<string> log)
    {
        set_num_threads(settings.Threads);
        var peak = Table2Benchmark.MatmulPeak();
        using var network = new OslsmNetwork(settings.ResolvedPreset, 1);
        network.eval();
        var results = new List<Result>();
        foreach (var shots in new[] { 1, 5 })
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var query = randn([1, 3, settings.QuerySize, settings.QuerySize]);
            var supports = randn([shots, 3, settings.SupportSize, settings.SupportSize]);
            long flops;
            IReadOnlyDictionary<string, long> byLayer;
            using (var counter = new FlopCounter(network))
            {
                network.call(query, supports).Dispose();
                flops = counter.Total;
                byLayer = counter.ByLayer.ToDictionary();
            }
            var seconds = new List<double>();
            for (var i = 0; i < settings.Warmup + settings.Repeats; i++)
            {
                var clock = Stopwatch.StartNew();
                network.call(query, supports).Dispose();
                if (i >= settings.Warmup) seconds.Add(clock.Elapsed.TotalSeconds);
            }
            var median = BenchEnvironment.Median(seconds);
            log($"roofline {shots}-shot: {flops / 1e9:F1} GFLOP in {median:F3} s");
            results.Add(new Result(settings, shots, flops / 1e9, median, flops / median / 1e9, peak / 1e9, flops / median / peak,
                byLayer.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => l.Value / 1e9)));
        }
        return results;
    }
}

/// <summary>
/// `bench memory`: peak resident memory (VmHWM, reset through /proc/self/clear_refs before each measurement) of one
/// OSLSM training step and of one 5-shot evaluation at the benchmark's preset, and live tensor and managed-heap counts
/// before and after 100 training steps (after warm-up steps that create the optimizer state) of the tiny preset,
/// whose steps run the same code in milliseconds: no growth means nothing leaks.
/// </summary>
public static class MemoryBenchmark
{
    public sealed record Result(ModelSettings Settings, double BaselineMiB, double TrainingStepPeakMiB, double FiveShotEvaluationPeakMiB,
        int Steps, long LiveTensorsBefore, long LiveTensorsAfter, double ManagedMiBBefore, double ManagedMiBAfter);

    public static Result Run(ModelSettings settings, int steps, Action<string> log)
    {
        set_num_threads(settings.Threads);
        double baseline, trainingPeak, evaluationPeak;
        using (var network = new OslsmNetwork(settings.ResolvedPreset, 1))
        using (var trainer = new OslsmTrainer(network, TrainingOptions.TinyMeanLoss))
        using (var episode = new RandomEpisode(settings.QuerySize, settings.SupportSize))
        using (var fiveSupports = randn([5, 3, settings.SupportSize, settings.SupportSize]))
        {
            baseline = ResetPeak();
            trainer.Step(episode.Query, episode.Support, episode.Target);
            trainingPeak = PeakMiB();
            ResetPeak();
            network.eval();
            using (no_grad())
            using (var scope = NewDisposeScope())
                network.call(episode.Query.unsqueeze(0), fiveSupports).Dispose();
            evaluationPeak = PeakMiB();
        }
        log($"memory: baseline {baseline:F0} MiB, training step peak {trainingPeak:F0} MiB, 5-shot evaluation peak {evaluationPeak:F0} MiB");

        var tiny = OslsmPreset.Tiny with { QuerySize = 128, SupportSize = 64 };
        using var small = new OslsmNetwork(tiny, 1);
        using var smallTrainer = new OslsmTrainer(small, TrainingOptions.TinyMeanLoss);
        using var smallEpisode = new RandomEpisode(tiny.QuerySize, tiny.SupportSize);
        for (var i = 0; i < 3; i++) smallTrainer.Step(smallEpisode.Query, smallEpisode.Support, smallEpisode.Target);
        var (tensorsBefore, managedBefore) = Live();
        for (var i = 0; i < steps; i++) smallTrainer.Step(smallEpisode.Query, smallEpisode.Support, smallEpisode.Target);
        var (tensorsAfter, managedAfter) = Live();
        log($"memory: live tensors {tensorsBefore} before and {tensorsAfter} after {steps} steps");
        return new Result(settings, baseline, trainingPeak, evaluationPeak, steps, tensorsBefore, tensorsAfter, managedBefore, managedAfter);
    }

    /// <summary>A random 1-shot training episode: query, masked support and a target with some foreground.</summary>
    private sealed class RandomEpisode(int querySize, int supportSize) : IDisposable
    {
        public Tensor Query { get; } = randn(3, querySize, querySize);
        public Tensor Support { get; } = randn(3, supportSize, supportSize);
        public byte[] Target { get; } = Enumerable.Range(0, querySize * querySize).Select(p => p % 7 == 0 ? (byte)1 : (byte)0).ToArray();

        public void Dispose()
        {
            Query.Dispose();
            Support.Dispose();
        }
    }

    private static (long Tensors, double ManagedMiB) Live()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return (Tensor.TotalCount, GC.GetTotalMemory(forceFullCollection: true) / 1048576.0);
    }

    /// <summary>Resets the kernel's peak resident set of this process to its current size and returns that size.</summary>
    private static double ResetPeak()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Status("VmRSS");
    }

    private static double PeakMiB() => Status("VmHWM");

    private static double Status(string field) =>
        double.Parse(Regex.Match(File.ReadAllText("/proc/self/status"), $@"{field}:\s+(\d+) kB").Groups[1].Value) / 1024;
}

/// <summary>
/// `bench data`: training episodes per second that the loader decodes, resizes and batches (one background thread,
/// as in training) against the episodes per second the training loop consumes at the same preset and sizes. The
/// loader must stay ahead: a ratio above 1.
/// </summary>
public static class DataBenchmark
{
    public sealed record Result(ModelSettings Settings, int ImageSize, int Episodes, double LoaderEpisodesPerSecond, double LoaderImagesPerSecond,
        double TrainingEpisodesPerSecond, double LoaderToTraining);

    public static Result Run(ModelSettings settings, bool quick, Action<string> log)
    {
        set_num_threads(settings.Threads);
        var root = Directory.CreateTempSubdirectory("segcluster-data-bench-").FullName;
        try
        {
            // VOC images are about 500x375; the generated set at 384 pixels decodes comparable JPEGs.
            var imageSize = quick ? 128 : 384;
            var data = SyntheticPascal.Generate(root, new SyntheticPascal.Options(Images: quick ? 120 : 240, Size: imageSize, Seed: 1));
            var split = FoldSplit.Build(DataCatalog.Scan(data.Sources), 0);
            var images = split.Train.ToDictionary(i => i.Id);
            var episodes = quick ? 20 : 100;
            var sampler = new EpisodeSampler(split.Train, 1, SeededRandom.Derive(1, "data-bench"));
            using (var loader = new EpisodeLoader(sampler, images, settings.QuerySize, settings.SupportSize))
            {
                loader.Take(CancellationToken.None);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < episodes; i++) loader.Take(CancellationToken.None);
                var loaderRate = episodes / clock.Elapsed.TotalSeconds;

                using var network = new OslsmNetwork(settings.ResolvedPreset, 1);
                using var trainer = new OslsmTrainer(network, TrainingOptions.TinyMeanLoss);
                var prepared = loader.Take(CancellationToken.None);
                using var query = tensor(prepared.Query, [3, settings.QuerySize, settings.QuerySize]);
                using var support = tensor(prepared.Supports, [3, settings.SupportSize, settings.SupportSize]);
                var seconds = new List<double>();
                for (var i = 0; i < settings.Warmup + settings.Repeats; i++)
                {
                    var step = Stopwatch.StartNew();
                    trainer.Step(query, support, prepared.Target);
                    if (i >= settings.Warmup) seconds.Add(step.Elapsed.TotalSeconds);
                }
                var trainingRate = 1 / BenchEnvironment.Median(seconds);
                log($"data: loader {loaderRate:F1} episodes/s, training {trainingRate:F2} episodes/s");
                // An episode decodes 1 query and 1 support image.
                return new Result(settings, imageSize, episodes, loaderRate, 2 * loaderRate, trainingRate, loaderRate / trainingRate);
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
