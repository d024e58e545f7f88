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

    [Theory]
    [InlineData("glibc.malloc.hugetlb=1", true)]
    [InlineData("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", true)]
    [InlineData("glibc.malloc.hugetlb=0", false)]
    [InlineData("glibc.malloc.hugetlb=10", false)]
    [InlineData(null, false)]
    public void Huge_page_allocations_are_read_from_glibc_tunables(string? tunables, bool expected)
    {
        var saved = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        try
        {
            Environment.SetEnvironmentVariable("GLIBC_TUNABLES", tunables);
            Assert.Equal(expected, TorchRuntime.HugePageAllocations);
            Assert.Contains($"huge-page allocations: {(expected ? "on" : "off")}", TorchRuntime.Describe());
        }
        finally { Environment.SetEnvironmentVariable("GLIBC_TUNABLES", saved); }
    }

    [Fact]
    public void Nnpack_is_off_once_the_runtime_is_loaded()
    {
        // Its warning on CPUs it does not support would otherwise come with every single-thread 1x1 convolution.
        Assert.False(TorchRuntime.NnpackEnabled);
    }

    [Fact]
    public void Configure_rejects_zero_threads()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Configure(0));
    }
}
