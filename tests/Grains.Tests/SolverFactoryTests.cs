using SegCluster.Contracts;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;
using SegCluster.Learning.Training;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Grains.Tests;

/// <summary>A run's inference precision reaches the network OSLSM scores with; each precision is loaded once.</summary>
public sealed class SolverFactoryTests
{
    [Fact]
    public void Oslsm_scores_with_the_network_in_the_run_s_precision()
    {
        var preset = OslsmPreset.Tiny with { QuerySize = 32, SupportSize = 32 };
        var checkpoint = Path.Combine(Directory.CreateTempSubdirectory("segcluster-solver-factory-").FullName, "model.ckpt");
        using (var trained = new OslsmNetwork(preset, 7, CPU))
        using (var optimizer = new OslsmOptimizer(Optimizer.Adam, 0.9, (trained.parameters(), 1e-3)))
            CheckpointFile.Save(checkpoint, trained, optimizer, 1, [0UL], "{}");

        using var models = new ModelCache();
        var factory = new SolverFactory(models, Microsoft.Extensions.Options.Options.Create(new SiloSettings()));
        var config = RunSettings.PaperProtocol with { Preset = "tiny", QuerySize = 32, SupportSize = 32, Seed = 7 };
        OslsmNetwork Network(InferencePrecision precision) =>
            Assert.IsType<OslsmSolver>(factory.Create(Method.Oslsm, config with { InferencePrecision = precision }, 0, checkpoint)).Network;

        var bf16 = Network(InferencePrecision.BFloat16);
        var fp32 = Network(InferencePrecision.Float32);
        Assert.All(bf16.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.All(fp32.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Same(fp32, Network(InferencePrecision.Float32));
        Assert.Same(bf16, Network(InferencePrecision.BFloat16));
        // The same weights, rounded: the cached bf16 network is the checkpoint's, not a fresh one.
        Assert.True(fp32.parameters().First().to(ScalarType.BFloat16).eq(bf16.parameters().First()).all().item<bool>());
    }
}
