using TorchSharp;
using SegCluster.Experiment;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

/// <summary>
/// The segmentation trunk's geometry: its map has ceil(side/stride) cells, each where its pixels are, so the
/// upsampled prediction of an object lies over the object (an even fc6 kernel once shifted and shrank it toward the
/// centre).
/// </summary>
[Collection(nameof(TorchGlobalState))]
public sealed class FcnGeometryTests
{
    public static TheoryData<string, int> PresetsAndSides => new()
    {
        { "tiny", 64 }, { "tiny", 100 }, { "tiny", 128 },
        { "vgg16-fcn32s", 96 }, { "vgg16-fcn32s", 100 },
        { "vgg16-dilated8", 64 }, { "vgg16-dilated8", 70 },
        { "alexnet", 224 }, { "alexnet", 200 },
    };

    [Theory]
    [MemberData(nameof(PresetsAndSides))]
    public void The_map_has_ceil_side_over_stride_cells(string name, int side)
    {
        var preset = OslsmPreset.Named(name);
        using var trunk = new FcnTrunk(preset, new Generator(1), CPU);
        trunk.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var map = trunk.call(zeros(1, 3, side, side + 8));
        var expected = (long)Math.Ceiling((double)side / preset.Stride);
        Assert.Equal([expected, (long)Math.Ceiling((double)(side + 8) / preset.Stride)], map.shape[2..]);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("vgg16-fcn32s")]
    public void A_lone_object_is_answered_where_it_is(string name)
    {
        // Filters that move nothing: an odd kernel passes its centre tap, an even one (which has no centre) averages
        // its taps; no bias. The response's centroid is then the object's, up to the grid's quantisation.
        var preset = OslsmPreset.Named(name);
        using var trunk = new FcnTrunk(preset, new Generator(1), CPU);
        trunk.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (_, parameter) in trunk.named_parameters())
        {
            parameter.zero_();
            if (parameter.dim() == 1) continue;
            var (inputs, kernel) = (parameter.shape[1], parameter.shape[2]);
            if (kernel % 2 == 1) parameter[.., .., kernel / 2, kernel / 2] = full(parameter.shape[0], inputs, 1.0f / inputs);
            else parameter.fill_(1.0 / (inputs * kernel * kernel));
        }
        const int side = 320, square = 16;
        var truth = new List<double>();
        var found = new List<double>();
        for (var at = 48; at <= 256; at += 8)
        {
            var image = zeros(1, 3, side, side);
            image[.., .., TensorIndex.Slice(at, at + square), TensorIndex.Slice(at, at + square)] = ones(1, 3, square, square);
            var response = trunk.call(image).mean([1], keepdim: true);
            var upsampled = nn.functional.interpolate(response, [(long)side, side], mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
            var weights = upsampled.sum(dim: 0);   // per column
            var columns = arange(side).to_type(ScalarType.Float32) + 0.5f;
            found.Add((weights * columns).sum().ToDouble() / weights.sum().ToDouble());
            truth.Add(at + square / 2.0);
        }
        var (slope, _) = Fit(truth, found);
        Assert.InRange(slope, 0.9, 1.1);
        Assert.InRange(truth.Zip(found).Max(p => Math.Abs(p.Second - p.First)), 0, preset.Stride / 2.0);
    }

    private static (double Slope, double Offset) Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var slope = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
        return (slope, my - slope * mx);
    }
}
