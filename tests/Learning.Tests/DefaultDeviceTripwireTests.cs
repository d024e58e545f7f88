using SegCluster.Contracts;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

/// <summary>
/// The real network shapes (VGG-16 with its 4096x512x7x7 fc6, the dilated variant, AlexNet, tiny, the ResNet18 presets from the served weights) at reduced input
/// size, each network trained a step and every method scored, with the device checked on the way. No GPU here, so
/// libtorch's meta device stands as the default: with it in force, a tensor or module made without the device it was
/// given lands on meta, and the first operation that mixes it with the run's tensors fails. Each network trains
/// through its fold trainer (forward, loss, backward, optimizer step, checkpoint save) and resumes from that
/// checkpoint (network and optimizer loaded); every method scores episodes through the evaluator; all with the CPU
/// passed explicitly.
/// </summary>
[Collection(nameof(TorchGlobalState))]
public sealed class DefaultDeviceTripwireTests
{
    private static readonly Lazy<DataCatalog> Catalog = new(() =>
        DataCatalog.Scan(SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 600, Size: 72, Seed: 3)).Sources));

    [Fact]
    public void The_tripwire_catches_a_tensor_made_without_a_device()
    {
        using var tripwire = new MetaDefaultDevice();
        using var placed = ones(3, device: CPU);
        using var stray = ones(3);
        Assert.Equal(DeviceType.META, stray.device_type);
        var error = Assert.ThrowsAny<Exception>(() => placed.add(stray).sum().item<float>());
        Assert.Contains("device", error.Message);
    }

    [Theory]
    [InlineData("tiny", 64)]
    [InlineData("vgg16-fcn32s", 64)]
    [InlineData("vgg16-dilated8", 48)]
    [InlineData("alexnet", 67)]
    [InlineData("resnet18-fcn32", 64)]
    [InlineData("resnet18-dilated8", 48)]
    public void Every_network_trains_resumes_and_scores_on_the_device_it_is_given(string preset, int size)
    {
        set_num_threads(2);
        var split = FoldSplit.Build(Catalog.Value, 0);
        // The optimizers their runs use: Adam for tiny, the paper's SGD (smaller checkpoints) for the others.
        var options = preset == "tiny" ? TrainingOptions.TinyMeanLoss : new TrainingOptions(LearningRate: 1e-3, Loss: LossReduction.Mean);
        var config = new FoldTrainingConfig(Fold: 0, preset, size, size, Iterations: 1, CheckpointEvery: 1, ProgressEvery: 1, Seed: 11, options);
        var resolved = config.ResolvedPreset;
        var images = split.Test.ToDictionary(i => i.Id);
        var oneShot = new EpisodeSampler(split.Test, 1, SeededRandom.Derive(11, "tripwire-1")).Take(2);
        var fiveShot = new EpisodeSampler(split.Test, 5, SeededRandom.Derive(11, "tripwire-5")).Take(1);

        using var tripwire = new MetaDefaultDevice();
        using var oslsmNetwork = Trained(new OslsmNetwork(resolved, 11, CPU), (c, s) => new OslsmFoldTraining(split, c, s, CPU), config);
        using var bf16 = new OslsmNetwork(resolved, 11, CPU);
        using (no_grad())
            foreach (var (from, into) in oslsmNetwork.parameters().Zip(bf16.parameters())) into.copy_(from);
        bf16.to(ScalarType.BFloat16);
        using var pixelNetwork = Trained(new PixelClassifierNetwork(resolved, 11, CPU), (c, s) => new BaseClassifierFoldTraining(split, c, s, CPU), config);
        using var siameseNetwork = Trained(new SiameseNetwork(resolved, 11, CPU), (c, s) => new SiameseFoldTraining(split, c, s, CPU), config);
        var solvers = new IEpisodeSolver[]
        {
            new OslsmSolver(oslsmNetwork), new OslsmSolver(bf16), new NearestNeighbourSolver(pixelNetwork), new LogisticRegressionSolver(pixelNetwork),
            new FineTuningSolver(pixelNetwork, iterations: 2, learningRate: 1e-3), new CosegmentationSolver(pixelNetwork),
            new SiameseSolver(siameseNetwork, supportSampling: 0.5, seed: 3), new AllForegroundSolver(), new SupportMaskSolver(),
        };
        foreach (var solver in solvers)
        {
            Assert.Equal(DeviceType.CPU, solver.Device.type);
            foreach (var episodes in new[] { oneShot, fiveShot }.Where(e => Supports(solver, e[0].Shots)))
            {
                var result = EpisodeEvaluator.Score(solver, episodes, images, render: _ => true);
                Assert.Equal(episodes.Count, result.Scores.Count);
                Assert.All(result.Samples, s => Assert.NotEmpty(s.Png));
            }
            ReleaseMemory();
        }
    }

    /// <summary>
    /// Trains one step from <paramref name="initial"/>'s seed and checkpoints it, resumes from that checkpoint (network
    /// and optimizer loaded), and returns <paramref name="initial"/> loaded with the trained weights, which must differ
    /// from the initial ones. The checkpoints are deleted (VGG-16's are gigabytes).
    /// </summary>
    private static T Trained<T>(T initial, Func<FoldTrainingConfig, CheckpointStore, FoldTraining> trainer, FoldTrainingConfig config)
        where T : nn.Module
    {
        var store = new CheckpointStore(Fixtures.TempDirectory());
        try
        {
            var started = new List<string>();
            var losses = new List<double>();
            var first = trainer(config, store);
            first.Started = started.Add;
            first.Run(new Progress(p => losses.Add(p.Loss)), default);
            var resumed = trainer(config, store);   // finds iteration 1 done: loads it and trains nothing more
            resumed.Started = started.Add;
            var final = resumed.Run(null, default);
            Assert.Equal(["cpu", "cpu"], started);
            Assert.True(losses.Count == 1 && double.IsFinite(losses[0]) && losses[0] >= 0, $"losses {string.Join(", ", losses)}");

            var before = initial.parameters().Select(p => p.detach().clone()).ToList();
            CheckpointFile.LoadModel(final, initial);
            Assert.All(initial.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
            // Randomly initialised VGG-16 without ImageNet weights may leave early layers without gradient; some weight must move.
            Assert.Contains(initial.parameters().Zip(before), pair => !pair.First.allclose(pair.Second, 0, 0));
            foreach (var b in before) b.Dispose();
            return initial;
        }
        finally
        {
            Directory.Delete(store.Directory, recursive: true);
            ReleaseMemory();
        }
    }

    /// <summary>
    /// Frees what the two trainers left (tensors held only by collected objects wait for finalizers) and hands freed
    /// heap back to the system: VGG-16's networks, gradients and optimizer states are gigabytes, invisible to the GC,
    /// and measured unreturned they took this test process past 20 GB.
    /// </summary>
    private static void ReleaseMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (OperatingSystem.IsLinux()) MallocTrim(0);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static bool Supports(IEpisodeSolver solver, int shots) => solver switch
    {
        CosegmentationSolver => shots > 1,
        FineTuningSolver or SiameseSolver => shots == 1,
        _ => true,
    };

    /// <summary>Makes libtorch's meta device the default for its lifetime.</summary>
    private sealed class MetaDefaultDevice : IDisposable
    {
        public MetaDefaultDevice() => set_default_device(META);

        public void Dispose() => set_default_device(CPU);
    }
}
