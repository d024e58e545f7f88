using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

public sealed class FlopCounterTests
{
    [Fact]
    public void Convolutions_and_linear_layers_inside_sequentials_are_counted_as_twice_their_multiply_adds()
    {
        using var network = nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.ReLU(), nn.Conv2d(4, 2, 1), nn.Flatten(), nn.Linear(2 * 8 * 8, 5));
        using var counter = new FlopCounter(network);
        using (no_grad()) network.call(zeros(2, 3, 8, 8)).Dispose();
        // Per image: 4x3x3x3 weights at 64 positions, 2x4 at 64 positions, 128x5 once; two images; 2 operations each.
        Assert.Equal(2 * 2 * (4 * 27 * 64 + 2 * 4 * 64 + 128 * 5), counter.Total);
        Assert.Equal(3, counter.ByLayer.Count);
    }

    [Fact]
    public void Counting_stops_when_disposed()
    {
        using var network = nn.Sequential(nn.Conv2d(1, 1, 1));
        var counter = new FlopCounter(network);
        counter.Dispose();
        using (no_grad()) network.call(zeros(1, 1, 4, 4)).Dispose();
        Assert.Equal(0, counter.Total);
    }
}
