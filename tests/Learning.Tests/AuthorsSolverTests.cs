using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SegCluster.Learning.Tests;

/// <summary>
/// The authors' Caffe solver, one update at a time (SGD without momentum, so an update is -lr times the gradient):
/// iter_size averages the episodes' gradients, weight decay adds lr*decay*w to weights only, biases move at their
/// multiplier. The summed loss, so targets are 0 or 1 (no void).
/// </summary>
[Collection(nameof(TorchGlobalState))]
public sealed class AuthorsSolverTests
{
    private static readonly OslsmPreset Preset = OslsmPreset.Tiny with { QuerySize = 32, SupportSize = 32 };
    private const double LearningRate = 1e-3;

    [Fact]
    public void Accumulated_episodes_are_averaged_not_summed()
    {
        var episodes = new[] { Episode(1), Episode(2) };
        var update = Update(new TrainingOptions(LearningRate, 0, 1, EpisodesPerStep: 2), episodes);

        // The same two forward and backward passes by hand (the same dropout draws, in the same order): their gradients summed.
        using var network = new OslsmNetwork(Preset, seed: 5, CPU);
        network.train();
        foreach (var (query, support, target) in episodes)
        {
            var logits = network.call(query.unsqueeze(0), support.unsqueeze(0)).squeeze(0);
            var labels = tensor(target.Select(t => (float)t).ToArray(), logits.shape);
            functional.binary_cross_entropy_with_logits(logits, labels, ones_like(labels), reduction: Reduction.Sum).backward();
        }
        foreach (var (change, (name, parameter)) in update.Zip(network.named_parameters()))
        {
            var averaged = parameter.grad!.mul(-LearningRate / 2);
            Assert.True(change.Delta.allclose(averaged, rtol: 1e-3, atol: 1e-7), $"{name}: {change.Delta.sub(averaged).abs().max().ToDouble()} off, largest change {averaged.abs().max().ToDouble()}");
            Assert.False(parameter.grad!.abs().sum().ToDouble() > 0 && change.Delta.allclose(averaged.mul(2), rtol: 1e-3, atol: 1e-7), $"{name}: summed");
        }
    }

    [Fact]
    public void Weight_decay_pulls_weights_toward_zero_and_leaves_biases_alone()
    {
        var episode = Episode(3);
        var plain = Update(new TrainingOptions(LearningRate, 0, 1), [episode]);
        var decayed = Update(new TrainingOptions(LearningRate, 0, 1, WeightDecay: 0.5), [episode]);
        foreach (var (p, d) in plain.Zip(decayed))
        {
            var expected = p.Name.EndsWith("bias", StringComparison.Ordinal) ? p.Delta : p.Delta.sub(p.Before.mul(LearningRate * 0.5));
            Assert.True(d.Delta.allclose(expected, rtol: 1e-3, atol: 1e-7), p.Name);
        }
        Assert.Contains(decayed, d => !d.Name.EndsWith("bias", StringComparison.Ordinal) && d.Before.abs().sum().ToDouble() > 0);
    }

    [Fact]
    public void Biases_move_at_their_multiplier_and_weights_do_not()
    {
        var episode = Episode(4);
        var plain = Update(new TrainingOptions(LearningRate, 0, 1), [episode]);
        var doubled = Update(new TrainingOptions(LearningRate, 0, 1, BiasLearningRateMultiplier: 2), [episode]);
        foreach (var (p, d) in plain.Zip(doubled))
            Assert.True(d.Delta.allclose(p.Name.EndsWith("bias", StringComparison.Ordinal) ? p.Delta.mul(2) : p.Delta, rtol: 1e-4, atol: 1e-7), p.Name);
        Assert.Contains(plain, p => p.Name.EndsWith("bias", StringComparison.Ordinal) && p.Delta.abs().sum().ToDouble() > 0);
    }

    private sealed record Change(string Name, Tensor Before, Tensor Delta);

    /// <summary>Every parameter's value before and its change after one update on these episodes, from the same initial network.</summary>
    private static List<Change> Update(TrainingOptions options, IReadOnlyList<(Tensor Query, Tensor Support, byte[] Target)> episodes)
    {
        using var network = new OslsmNetwork(Preset, seed: 5, CPU);   // a fresh network: the same dropout draws every time
        var before = network.named_parameters().Select(p => (p.name, Value: p.parameter.detach().clone())).ToList();
        using var trainer = new OslsmTrainer(network, options);
        trainer.Step(episodes);
        return [.. network.named_parameters().Zip(before).Select(p => new Change(p.First.name, p.Second.Value, p.First.parameter.detach().sub(p.Second.Value)))];
    }

    private static (Tensor Query, Tensor Support, byte[] Target) Episode(int seed)
    {
        var generator = new Generator((ulong)seed);
        var target = new byte[Preset.QuerySize * Preset.QuerySize];
        for (var i = 0; i < target.Length; i++) target[i] = (byte)((i / Preset.QuerySize + seed) % 7 < 3 ? 1 : 0);
        return (rand(3, Preset.QuerySize, Preset.QuerySize, generator: generator), rand(3, Preset.SupportSize, Preset.SupportSize, generator: generator), target);
    }
}
