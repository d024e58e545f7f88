using static TorchSharp.torch;

namespace SegCluster.Learning.Tests;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Native_libraries_load_and_compute_in_the_test_process()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var product = a.matmul(a);   // [[7, 10], [15, 22]]
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
        Assert.Contains("TorchSharp", TorchRuntime.Describe());
    }

    [Fact]
    public void Configure_rejects_zero_threads()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Configure(0));
    }
}
