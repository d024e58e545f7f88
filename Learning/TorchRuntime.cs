using System.Runtime.InteropServices;
using TorchSharp;

namespace SegCluster.Learning;

/// <summary>Process-wide torch settings, applied once before any tensor work.</summary>
public static class TorchRuntime
{
    private static int threads = Environment.ProcessorCount;

    static TorchRuntime() => DisableNnpack();

    /// <summary>
    /// Turns libtorch's NNPACK convolutions off. libtorch considers NNPACK for every convolution oneDNN declines (1x1
    /// kernels on one thread: every silo's scoring) and, on CPUs NNPACK does not support, logs a warning each time:
    /// tens of thousands of lines a run. oneDNN and the native kernels do the work either way. TorchSharp has no
    /// binding for the switch, so this calls libtorch's own (at::globalContext().setUserEnabledNNPACK).
    /// </summary>
    private static void DisableNnpack()
    {
        try { SetUserEnabledNnpack(GlobalContext(), false); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* a libtorch without the switch: warnings stay */ }
    }

    /// <summary>Whether libtorch may use NNPACK (false once this class is loaded).</summary>
    public static bool NnpackEnabled => UserEnabledNnpack(GlobalContext());

    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledNnpack(IntPtr context);

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

    /// <summary>
    /// Whether glibc backs large allocations with transparent huge pages (<c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c>,
    /// exported by ./segcluster and the container images; it must be set before the process starts). libtorch takes
    /// every tensor above glibc's 32 MiB mmap threshold straight from the kernel and returns it when freed, so each
    /// forward pass faults its large activations in again; in 4 KiB pages that cost more than the convolutions on the
    /// 2-core machines (allocating and filling 64 MiB: 123 ms with 4 KiB pages, 8 ms with huge pages).
    /// </summary>
    public static bool HugePageAllocations =>
        (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Split(':').Contains("glibc.malloc.hugetlb=1");

    /// <summary>A short description of the loaded backend, e.g. for provenance records.</summary>
    public static string Describe() =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version} (cuda available: {torch.cuda.is_available()}, threads: {torch.get_num_threads()}, " +
        $"huge-page allocations: {(HugePageAllocations ? "on" : "off")})";
}
