using TorchSharp;

namespace SegCluster.Learning;

/// <summary>Process-wide torch settings, applied once before any tensor work.</summary>
public static class TorchRuntime
{
    private static int threads = Environment.ProcessorCount;

    /// <summary>Sets torch's intra-op thread count (several silos share the machine's cores).</summary>
    public static void Configure(int threadCount)
    {
        if (threadCount < 1) throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "torch threads must be at least 1");
        threads = threadCount;
        torch.set_num_threads(threadCount);
    }

    /// <summary>
    /// Applies the configured thread count on the calling thread. OpenMP keeps the setting per thread, so every
    /// worker thread that runs torch work (training, scoring) calls this first; a different count would change the
    /// order of floating-point reductions and so the results.
    /// </summary>
    public static void ApplyToCurrentThread() => torch.set_num_threads(threads);

    /// <summary>A short description of the loaded backend, e.g. for provenance records.</summary>
    public static string Describe() =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version} (cuda available: {torch.cuda.is_available()}, threads: {torch.get_num_threads()})";
}
