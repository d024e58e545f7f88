using SegCluster.Contracts;
using SegCluster.Learning.Models;
using TorchSharp;
using static TorchSharp.torch;
using SegCluster.Experiment;

namespace SegCluster.Learning.Tests;

public sealed class InferencePrecisionTests
{
    [Theory]
    [InlineData("fp32", ScalarType.Float32)]
    [InlineData("bf16", ScalarType.BFloat16)]
    public void Names_map_to_tensor_types(string name, ScalarType expected) =>
        Assert.Equal(expected, InferenceScalarType.Of(Names.Parse<InferencePrecision>(name)));

    [Fact]
    public void A_bf16_network_gives_the_fp32_logits_to_bf16_accuracy()
    {
        set_num_threads(2);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var preset = OslsmPreset.Tiny with { QuerySize = 64, SupportSize = 48 };
        using var fp32 = new OslsmNetwork(preset, seed: 4, CPU);
        using var bf16 = new OslsmNetwork(preset, seed: 4, CPU);
        fp32.eval();
        bf16.eval();
        bf16.to(ScalarType.BFloat16);
        var query = randn(1, 3, 64, 64, generator: new Generator(1));
        var supports = randn(2, 3, 48, 48, generator: new Generator(2));
        var expected = fp32.call(query, supports);
        var actual = bf16.call(query.to(ScalarType.BFloat16), supports.to(ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        // bf16 keeps 8 significant bits: a few per cent of the logits' range after the network's layers, not more.
        var error = (actual.to(ScalarType.Float32) - expected).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.InRange(error, 0, 0.05);
        Assert.True(error > 0, "the bf16 network computed in fp32");
    }
}
