using SegCluster.Contracts;
using SegCluster.Learning.Evaluation;
using TorchSharp;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

/// <summary>Not run in parallel: the leak check counts torch's process-wide live tensors.</summary>
[Collection(nameof(TorchGlobalState))]
public sealed class OslsmNetworkTests
{
    [Fact]
    public void K_supports_give_k_logit_maps_at_the_query_size()
    {
        using var network = new OslsmNetwork(OslsmPreset.Tiny, seed: 1, CPU);
        network.eval();
        using var scope = NewDisposeScope();
        var logits = network.call(randn(1, 3, 100, 120), randn(5, 3, 64, 64));
        Assert.Equal([5L, 100, 120], logits.shape);
    }

    [Fact]
    public void Averaged_classifiers_equal_averaged_logits_and_both_stay_within_the_or_of_the_masks()
    {
        using var network = new OslsmNetwork(OslsmPreset.Tiny with { QuerySize = 48, SupportSize = 48 }, seed: 4, CPU);
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (query, supports) = (randn(1, 3, 48, 48), randn(3, 3, 48, 48));
        var meanLogits = network.call(query, supports).mean([0]);
        var meanClassifier = network.Segment(query, network.Classifiers(supports).mean([0], keepdim: true)).squeeze(0);
        Assert.True(meanClassifier.allclose(meanLogits, rtol: 1e-4, atol: 1e-5), "the logistic layer and upsampling are linear in {w, b}");

        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 300, Size: 48, Seed: 2));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 0);
        using var episode = EpisodeEvaluator.Load(new EpisodeSampler(split.Test, 3, new SeededRandom(4)).Next(), split.Test.ToDictionary(i => i.Id));
        var masks = new[] { SupportCombination.Or, SupportCombination.MeanLogits, SupportCombination.MeanParameters }
            .Select(c => new OslsmSolver(network, 0.5, c)).ToDictionary(s => s.Method, s => s.Predict(episode));
        Assert.Equal([Method.Oslsm, Method.OslsmMeanLogits, Method.OslsmMeanParameters], masks.Keys);
        // Equal but for rounding: a pixel whose logit is within float error of the cut may fall either way.
        Assert.InRange(masks[Method.OslsmMeanLogits].Zip(masks[Method.OslsmMeanParameters]).Count(p => p.First != p.Second), 0, 2);
        // The mean of k logits exceeds the cut only where one of them does: the averaged mask lies inside the OR.
        Assert.All(masks[Method.OslsmMeanLogits].Zip(masks[Method.Oslsm]), p => Assert.True(p.First <= p.Second));
    }

    [Fact]
    public void Channels_last_scoring_moves_only_the_feature_convolutions_keeps_the_logits_and_survives_bf16()
    {
        using var network = new OslsmNetwork(OslsmPreset.Tiny, seed: 1, CPU);
        network.eval();
        TorchSharp.Modules.Conv2d[] Convolutions(bool features) => network.named_modules()
            .Where(m => m.module is TorchSharp.Modules.Conv2d && m.name.Contains(".features.") == features)
            .Select(m => (TorchSharp.Modules.Conv2d)m.module).ToArray();
        Assert.Equal(2 * 5, Convolutions(features: true).Length);   // tiny: five 3x3 layers in each branch
        Assert.Equal(2, Convolutions(features: false).Length);      // fc6, fc7
        Assert.All(network.modules().OfType<TorchSharp.Modules.Conv2d>(), c => Assert.True(c.weight!.is_contiguous()));
        using var scope = NewDisposeScope();
        var (query, supports) = (randn(1, 3, 100, 120), randn(2, 3, 64, 64));
        Tensor before;
        using (no_grad()) before = network.call(query, supports);

        network.UseChannelsLast();
        network.UseChannelsLast();   // once is enough; again changes nothing
        // NHWC in memory: channels are the innermost dimension. fc6 and fc7 keep the default order.
        Assert.All(Convolutions(features: true), c => Assert.Equal(1L, c.weight!.stride(1)));
        Assert.All(Convolutions(features: false), c => Assert.True(c.weight!.is_contiguous()));
        Tensor after;
        using (no_grad()) after = network.call(query, supports);
        Assert.True(after.is_contiguous());
        Assert.True(after.allclose(before, rtol: 1e-4, atol: 1e-5));

        network.to(ScalarType.BFloat16);
        Assert.All(Convolutions(features: true), c => Assert.Equal(1L, c.weight!.stride(1)));
    }

    [Fact]
    public void Weight_hashing_is_a_fixed_signed_gather()
    {
        using var hashing = new WeightHashing(inputs: 10, outputs: 33, seed: 4, CPU);
        using var scope = NewDisposeScope();
        var input = arange(10, dtype: float32).unsqueeze(0) + 1;
        var output = hashing.call(input).data<float>().ToArray();
        Assert.Equal(33, output.Length);
        Assert.All(output, v => Assert.InRange(Math.Abs(v), 1, 10));
        Assert.Empty(hashing.parameters());
        using var same = new WeightHashing(10, 33, seed: 4, CPU);
        Assert.Equal(output, same.call(input).data<float>().ToArray());
    }

    [Fact]
    public void Tiny_training_lowers_the_loss_without_leaking_tensors()
    {
        var layout = SyntheticPascal.Generate(Fixtures.TempDirectory(), new SyntheticPascal.Options(Images: 120, Size: 64, Seed: 2));
        var split = FoldSplit.Build(DataCatalog.Scan(layout.Sources), 0);
        var sampler = new EpisodeSampler(split.Train, 1, new SeededRandom(5));
        var byId = split.Train.ToDictionary(i => i.Id);
        var preset = OslsmPreset.Tiny with { QuerySize = 64 };
        using var network = new OslsmNetwork(preset, seed: 1, CPU);
        using var trainer = new OslsmTrainer(network, TrainingOptions.TinyMeanLoss);

        var losses = new List<float>();
        long liveAfterWarmUp = 0;
        for (var step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            var episode = sampler.Next();
            var query = byId[episode.QueryId];
            var support = byId[episode.SupportIds[0]];
            using var queryImage = ImageFiles.ReadRgb(query.Record.ImagePath);
            using var supportImage = ImageFiles.ReadRgb(support.Record.ImagePath);
            var queryTensor = EpisodeTensors.Image(queryImage, preset.QuerySize);
            var supportTensor = EpisodeTensors.Image(supportImage, preset.SupportSize, support.Record.ReadMask(), episode.ClassId);
            var target = EpisodeTensors.Binary(query.Record.ReadMask(), episode.ClassId, preset.QuerySize);
            losses.Add(trainer.Step(queryTensor, supportTensor, target));
            if (step == 10)
            {
                // Tensors that earlier tests left to the garbage collector are finalized now, not during the count.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                liveAfterWarmUp = Tensor.TotalCount;
            }
        }

        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses.TakeLast(50).Average() < losses.Take(50).Average(), $"first {losses.Take(50).Average()}, last {losses.TakeLast(50).Average()}");
        Assert.InRange(Tensor.TotalCount, liveAfterWarmUp - 5, liveAfterWarmUp + 5);
    }
}
