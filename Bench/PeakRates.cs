using static TorchSharp.torch;

namespace SegCluster.Bench;

/// <summary>
/// The machine's fp32 rates, measured in the same run as the figures they divide: a 2048x2048 libtorch matmul (the
/// reference the benchmarks' goals are stated against; MKL's sgemm on x86) and a 3x3 convolution of VGG's own shape,
/// 256 to 256 channels at 96x96 (oneDNN's direct kernel, which runs faster than the matmul on AMD CPUs: the stricter
/// ceiling).
/// </summary>
public sealed record PeakRates(double MatmulGigaFlopsPerSecond, double ConvolutionGigaFlopsPerSecond)
{
    public static PeakRates Measure()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        const int size = 2048, channels = 256, side = 96;
        var a = randn(size, size);
        var b = randn(size, size);
        var image = randn(1, channels, side, side);
        var kernel = randn(channels, channels, 3, 3);
        return new PeakRates(
            2.0 * size * size * size / BenchEnvironment.MedianSeconds(() => a.matmul(b), 2, 5) / 1e9,
            2.0 * channels * channels * 9 * side * side / BenchEnvironment.MedianSeconds(() => nn.functional.conv2d(image, kernel, padding: [1, 1]), 2, 5) / 1e9);
    }
}
