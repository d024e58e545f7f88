using SegCluster.Contracts;
using System.Diagnostics;
using SegCluster.Learning;
using SegCluster.Learning.Data;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Bench;

/// <summary>
/// `segcluster gpu-check`: the same OSLSM training steps and scored episodes on each device and on the CPU, from the
/// same seed, weights and inputs (a generated data set), compared within stated tolerances; a checkpoint written on
/// each device is loaded back onto it and onto the CPU and must hold the same weights. Both sides compute in float32
/// (TF32 off, see <see cref="TorchDevices.UseReproducibleCuda"/>); they differ only by the kernels' summation order.
/// </summary>
public static class GpuCheck
{
    public sealed record Settings(string Preset, int QuerySize, int SupportSize, int Steps, int Episodes, int Threads, ulong Seed = 17)
    {
        public static Settings Paper(int threads) => new("vgg16-fcn32s", 500, 224, 20, 10, threads);
    }

    /// <summary>What a device must match: each step's loss within a relative difference, the final weights within a
    /// relative difference of the largest weight, and the masks on a share of the pixels.</summary>
    public sealed record Tolerance(double LossRelative = 1e-3, double WeightRelative = 1e-3, double MaskAgreement = 0.99);

    public sealed record DeviceResult(string Device, string Name, double MedianStepSeconds, double MedianEpisodeSeconds, long? MemoryPeakBytes,
        double MaxLossRelativeDifference, double MaxWeightRelativeDifference, double MaskAgreement, bool CheckpointRoundTrip, bool Passed);

    public sealed record Result(Settings Settings, Tolerance Tolerance, string Cuda, string Cudnn, double ReferenceMedianStepSeconds,
        double ReferenceMedianEpisodeSeconds, IReadOnlyList<DeviceResult> Devices)
    {
        public bool Passed => Devices.All(d => d.Passed);
    }

    public static Result Run(Settings settings, IReadOnlyList<DeviceSlot> devices, Tolerance tolerance, Action<string> log)
    {
        TorchRuntime.Configure(settings.Threads);
        if (devices.Any(d => d.IsCuda)) TorchDevices.UseReproducibleCuda();
        var folder = Directory.CreateTempSubdirectory("segcluster-gpu-check-").FullName;
        try
        {
            var preset = OslsmPreset.Named(settings.Preset) with { QuerySize = settings.QuerySize, SupportSize = settings.SupportSize };
            var catalog = DataCatalog.Scan(SyntheticPascal.Generate(Path.Combine(folder, "data"),
                new SyntheticPascal.Options(Images: 120, Size: Math.Max(settings.QuerySize, settings.SupportSize), Seed: settings.Seed)).Sources);
            var split = FoldSplit.Build(catalog, 0);
            var trainImages = split.Train.ToDictionary(i => i.Id);
            var steps = new EpisodeSampler(split.Train, 1, SeededRandom.Derive(settings.Seed, "gpu-check-train")).Take(settings.Steps)
                .Select(e => EpisodeLoader.Prepare(e, [], trainImages, settings.QuerySize, settings.SupportSize)).ToList();
            var testImages = split.Test.ToDictionary(i => i.Id);
            var episodes = new EpisodeSampler(split.Test, 1, SeededRandom.Derive(settings.Seed, "gpu-check-test")).Take(settings.Episodes);

            log($"gpu-check: CPU reference, {settings.Steps} {settings.Preset} steps at {settings.QuerySize}/{settings.SupportSize} and {settings.Episodes} episodes");
            using var reference = Side.Run(preset, settings, steps, episodes, testImages, CPU, Path.Combine(folder, "cpu.ckpt"));
            var results = new List<DeviceResult>();
            foreach (var slot in devices)
            {
                log($"gpu-check: {slot}");
                using var side = Side.Run(preset, settings, steps, episodes, testImages, slot.Device, Path.Combine(folder, $"{slot.Type}{slot.Index}.ckpt"));
                var loss = side.Losses.Zip(reference.Losses, (a, b) => Math.Abs(a - b) / Math.Max(Math.Abs(b), 1e-12)).DefaultIfEmpty(0).Max();
                var weights = side.WeightDifference(reference.Network);
                var agreement = side.Masks.Zip(reference.Masks, Agreement).DefaultIfEmpty(1).Min();
                var passed = loss <= tolerance.LossRelative && weights <= tolerance.WeightRelative && agreement >= tolerance.MaskAgreement && side.CheckpointRoundTrip;
                results.Add(new DeviceResult(slot.Label, TorchDevices.Describe(slot.Device), side.MedianStepSeconds, side.MedianEpisodeSeconds,
                    side.MemoryPeakBytes, loss, weights, agreement, side.CheckpointRoundTrip, passed));
            }
            var cuda = devices.FirstOrDefault(d => d.IsCuda) is { } first ? Cuda.Describe(first.Index) : null;
            return new Result(settings, tolerance, cuda?.Runtime ?? "none", cuda?.Cudnn ?? "none", reference.MedianStepSeconds,
                reference.MedianEpisodeSeconds, results);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>Share of pixels on which two masks agree.</summary>
    private static double Agreement(byte[] a, byte[] b) => a.Length == 0 ? 1 : (double)a.Zip(b).Count(p => p.First == p.Second) / a.Length;

    /// <summary>The training steps and scored episodes on one device.</summary>
    private sealed class Side : IDisposable
    {
        public required OslsmNetwork Network { get; init; }
        public required IReadOnlyList<double> Losses { get; init; }
        public required IReadOnlyList<byte[]> Masks { get; init; }
        public required double MedianStepSeconds { get; init; }
        public required double MedianEpisodeSeconds { get; init; }
        public required long? MemoryPeakBytes { get; init; }
        public required bool CheckpointRoundTrip { get; init; }

        public static Side Run(OslsmPreset preset, Settings settings, IReadOnlyList<PreparedEpisode> steps, IReadOnlyList<Episode> episodes,
            IReadOnlyDictionary<string, AnnotatedImage> images, Device device, string checkpoint)
        {
            var network = new OslsmNetwork(preset, settings.Seed, device);
            long? peak = null;
            void Sample()
            {
                if (device.type == DeviceType.CUDA && Cuda.MemoryInUse(device.index) is { } memory) peak = Math.Max(peak ?? 0, memory.Used);
            }
            var losses = new List<double>();
            var stepSeconds = new List<double>();
            using (var trainer = new OslsmTrainer(network, new TrainingOptions(LearningRate: 1e-3, Momentum: 0.9, Loss: LossReduction.Mean)))
            {
                foreach (var step in steps)
                {
                    var clock = Stopwatch.StartNew();
                    using var scope = NewDisposeScope();
                    var query = EpisodeTensors.ToDevice(step.Query, [3, preset.QuerySize, preset.QuerySize], device);
                    var support = EpisodeTensors.ToDevice(step.Supports, [3, preset.SupportSize, preset.SupportSize], device);
                    losses.Add(trainer.Step(query, support, step.Target));   // reading the loss waits for the device
                    stepSeconds.Add(clock.Elapsed.TotalSeconds);
                    Sample();
                }
                CheckpointFile.Save(checkpoint, network, trainer.Optimizer, steps.Count, [], "{}");
            }
            var roundTrip = RoundTrip(network, checkpoint, preset, settings.Seed, device) && RoundTrip(network, checkpoint, preset, settings.Seed, CPU);

            var solver = new OslsmSolver(network);
            var masks = new List<byte[]>();
            var episodeSeconds = new List<double>();
            foreach (var episode in episodes)
            {
                using var input = EpisodeEvaluator.Load(episode, images);
                if (masks.Count == 0) solver.Predict(input);   // warm-up, untimed (as Table 2)
                var clock = Stopwatch.StartNew();
                masks.Add(solver.Predict(input));
                episodeSeconds.Add(clock.Elapsed.TotalSeconds);
                Sample();
            }
            return new Side
            {
                Network = network, Losses = losses, Masks = masks, MedianStepSeconds = Median(stepSeconds), MedianEpisodeSeconds = Median(episodeSeconds),
                MemoryPeakBytes = peak, CheckpointRoundTrip = roundTrip,
            };
        }

        /// <summary>Whether the checkpoint loads onto <paramref name="onto"/> with exactly the trained weights.</summary>
        private static bool RoundTrip(OslsmNetwork trained, string checkpoint, OslsmPreset preset, ulong seed, Device onto)
        {
            using var loaded = new OslsmNetwork(preset, seed + 1, onto);
            CheckpointFile.LoadModel(checkpoint, loaded);
            using var scope = NewDisposeScope();
            return trained.parameters().Zip(loaded.parameters()).All(p => p.First.cpu().allclose(p.Second.cpu(), 0, 0));
        }

        /// <summary>The largest difference between this side's final weights and the other's, over the other's largest weight.</summary>
        public double WeightDifference(OslsmNetwork other)
        {
            using var scope = NewDisposeScope();
            double difference = 0, largest = 0;
            foreach (var (mine, theirs) in Network.parameters().Zip(other.parameters()))
            {
                var reference = theirs.detach().cpu();
                difference = Math.Max(difference, mine.detach().cpu().sub(reference).abs().max().ToDouble());
                largest = Math.Max(largest, reference.abs().max().ToDouble());
            }
            return difference / Math.Max(largest, 1e-12);
        }

        private static double Median(IReadOnlyList<double> values) => values.Count == 0 ? 0 : BenchEnvironment.Median(values);

        public void Dispose() => Network.Dispose();
    }
}
