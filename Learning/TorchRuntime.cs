using TorchSharp;

namespace SegCluster.Learning;

/// <summary>Process-wide torch settings, applied once before any tensor work.</summary>
public static class TorchRuntime
{
    /// <summary>Sets torch's intra-op thread count (several silos share the machine's cores).</summary>
    public static void Configure(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "torch threads must be at least 1");
        torch.set_num_threads(threads);
    }

    /// <summary>A short description of the loaded backend, e.g. for provenance records.</summary>
    public static string Describe() =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version} (cuda available: {torch.cuda.is_available()}, threads: {torch.get_num_threads()})";
}
