using System.Diagnostics;
using System.Text.RegularExpressions;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Bench;

/// <summary>The preset and sizes a model benchmark runs at.</summary>
public sealed record ModelSettings(string Preset, int QuerySize, int SupportSize, int Threads, int Warmup, int Repeats)
{
    public static ModelSettings For(bool quick, int threads) =>
        quick ? new("tiny", 128, 64, threads, 1, 3) : new("vgg16-fcn32s", 500, 224, threads, 1, 3);

    public OslsmPreset ResolvedPreset => OslsmPreset.Named(Preset) with { QuerySize = QuerySize, SupportSize = SupportSize };
}

/// <summary>
/// `bench roofline`: OSLSM forward operations (counted per layer by forward hooks) over its median time, as a share
/// of the fp32 rates measured in the same run (<see cref="PeakRates"/>); the same forward in bf16 (its speed-up, and
/// how far its masks agree with fp32's on the same input); and the meanIoU change bf16 makes when scoring a trained
/// network (the tiny preset, trained briefly on the generated data set, so that the change is measured on
/// predictions that mean something).
/// </summary>
public static class RooflineBenchmark
{
    /// <param name="BFloat16MaskAgreement">IoU between the bf16 and fp32 masks (logits above 0) of each support, averaged</param>
    public sealed record Forward(int Shots, double GigaFlops, double MedianSeconds, double AchievedGigaFlopsPerSecond, double ShareOfMatmulPeak,
        double ShareOfConvolutionRate, double BFloat16MedianSeconds, double BFloat16SpeedUp, double BFloat16MaskAgreement,
        IReadOnlyDictionary<string, double> GigaFlopsByLayer);

    public sealed record BFloat16Scoring(string Preset, int ImageSize, int TrainingIterations, int Episodes, double Float32MeanIou, double BFloat16MeanIou);

    public sealed record Result(ModelSettings Settings, PeakRates Peak, bool CpuHasBFloat16, IReadOnlyList<Forward> Forwards, BFloat16Scoring Scoring);

    public static Result Run(ModelSettings settings, bool quick, Action<string> log)
    {
        TorchRuntime.Configure(settings.Threads);
        var peak = PeakRates.Measure();
        using var network = new OslsmNetwork(settings.ResolvedPreset, 1, CPU);
        using var bf16 = new OslsmNetwork(settings.ResolvedPreset, 1, CPU);
        network.eval();
        bf16.eval();
        bf16.to(ScalarType.BFloat16);
        // The scoring path's layout (OslsmSolver switches its network the same way).
        network.UseChannelsLast();
        bf16.UseChannelsLast();
        var forwards = new List<Forward>();
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
            var median = BenchEnvironment.MedianSeconds(() => network.call(query, supports), settings.Warmup, settings.Repeats);
            var (queryBf16, supportsBf16) = (query.to(ScalarType.BFloat16), supports.to(ScalarType.BFloat16));
            var medianBf16 = BenchEnvironment.MedianSeconds(() => bf16.call(queryBf16, supportsBf16), settings.Warmup, settings.Repeats);
            var agreement = MaskIou(network.call(query, supports).gt(0), bf16.call(queryBf16, supportsBf16).gt(0));
            log($"roofline {shots}-shot: {flops / 1e9:F1} GFLOP in {median:F3} s; bf16 {medianBf16:F3} s");
            forwards.Add(new Forward(shots, flops / 1e9, median, flops / median / 1e9, flops / median / 1e9 / peak.MatmulGigaFlopsPerSecond,
                flops / median / 1e9 / peak.ConvolutionGigaFlopsPerSecond, medianBf16, median / medianBf16, agreement,
                byLayer.Where(l => l.Value > 0).ToDictionary(l => l.Key, l => l.Value / 1e9)));
        }
        return new Result(settings, peak, CpuHasBFloat16, forwards, ScoreTrainedTiny(quick, log));
    }

    /// <summary>Whether this machine's CPU has native bf16 arithmetic (AVX512-BF16 or AMX-BF16).</summary>
    private static bool CpuHasBFloat16 => File.Exists("/proc/cpuinfo") &&
        Regex.IsMatch(File.ReadAllText("/proc/cpuinfo"), @"^flags\s*:.*\b(avx512_bf16|amx_bf16)\b", RegexOptions.Multiline);

    /// <summary>Mean over the k masks ([k, H, W], bool) of their IoU; two empty masks agree fully.</summary>
    private static double MaskIou(Tensor a, Tensor b)
    {
        var intersection = a.logical_and(b).sum([1, 2]).to(ScalarType.Float64);
        var union = a.logical_or(b).sum([1, 2]).to(ScalarType.Float64);
        return where(union.gt(0), intersection / union.clamp_min(1), ones_like(union)).mean().item<double>();
    }

    /// <summary>Tiny OSLSM trained on fold 0 of a generated set, then the same episodes scored in fp32 and in bf16.</summary>
    private static BFloat16Scoring ScoreTrainedTiny(bool quick, Action<string> log)
    {
        var root = Directory.CreateTempSubdirectory("segcluster-roofline-").FullName;
        try
        {
            const int size = 64;
            var layout = SyntheticPascal.Generate(Path.Combine(root, "data"), new SyntheticPascal.Options(Images: 400, Size: size, Seed: 8));
            var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 0);
            var config = new FoldTrainingConfig(0, "tiny", QuerySize: size, SupportSize: size, Iterations: quick ? 1000 : 3000, CheckpointEvery: 100_000,
                ProgressEvery: 100, Seed: 3, Training: TrainingOptions.TinyMeanLoss);
            var checkpoint = new OslsmFoldTraining(split, config, new CheckpointStore(Path.Combine(root, "checkpoints")), CPU).Run(null, CancellationToken.None);
            var episodes = new EpisodeSampler(split.Test, 1, SeededRandom.Derive(1, "roofline-bf16")).Take(quick ? 60 : 300).ToList();
            var images = split.Test.ToDictionary(i => i.Id);
            double MeanIou(ScalarType type)
            {
                using var network = new OslsmNetwork(config.ResolvedPreset, config.Seed, CPU);
                CheckpointFile.LoadModel(checkpoint, network);
                network.to(type);
                var accumulator = new IouAccumulator();
                foreach (var score in EpisodeEvaluator.Score(new OslsmSolver(network), episodes, images).Scores) accumulator.Add(score);
                return accumulator.MeanIou(split.TestClasses);
            }
            var (fp32, bf16) = (MeanIou(ScalarType.Float32), MeanIou(ScalarType.BFloat16));
            log($"roofline: trained tiny OSLSM meanIoU {fp32:F4} in fp32, {bf16:F4} in bf16 over {episodes.Count} episodes");
            return new BFloat16Scoring("tiny", size, config.Iterations, episodes.Count, fp32, bf16);
        }
        finally { Directory.Delete(root, recursive: true); }
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
        TorchRuntime.Configure(settings.Threads);
        double baseline, trainingPeak, evaluationPeak;
        using (var network = new OslsmNetwork(settings.ResolvedPreset, 1, CPU))
        using (var trainer = new OslsmTrainer(network, TrainingOptions.TinyMeanLoss))
        using (var episode = new RandomEpisode(settings.QuerySize, settings.SupportSize))
        using (var fiveSupports = randn([5, 3, settings.SupportSize, settings.SupportSize]))
        {
            baseline = ResetPeak();
            trainer.Step(episode.Query, episode.Support, episode.Target);
            trainingPeak = PeakMiB();
            network.eval();
            network.UseChannelsLast();   // as OslsmSolver scores
            ResetPeak();
            using (no_grad())
            using (var scope = NewDisposeScope())
                network.call(episode.Query.unsqueeze(0), fiveSupports).Dispose();
            evaluationPeak = PeakMiB();
        }
        log($"memory: baseline {baseline:F0} MiB, training step peak {trainingPeak:F0} MiB, 5-shot evaluation peak {evaluationPeak:F0} MiB");

        var tiny = OslsmPreset.Tiny with { QuerySize = 128, SupportSize = 64 };
        using var small = new OslsmNetwork(tiny, 1, CPU);
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
        TorchRuntime.Configure(settings.Threads);
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

                using var network = new OslsmNetwork(settings.ResolvedPreset, 1, CPU);
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
