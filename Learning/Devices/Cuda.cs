using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace SegCluster.Learning.Devices;

/// <summary>A CUDA device's name, memory and the runtime and cuDNN versions, for provenance and gpu-check.</summary>
public sealed record CudaDevice(int Index, string Name, long TotalBytes, string Runtime, string Driver, string Cudnn);

/// <summary>
/// Facts TorchSharp does not expose, read from the CUDA runtime and cuDNN that libtorch ships (C ABI calls, looked
/// up at run time: a CPU-only build has neither, and every fact then reads "unknown").
/// </summary>
public static class Cuda
{
    private delegate int GetProperties(IntPtr properties, int device);
    private delegate int GetVersion(out int version);
    private delegate int MemGetInfo(out nuint free, out nuint total);
    private delegate int SetDevice(int device);
    private delegate nuint CudnnGetVersion();

    private static readonly Lazy<IntPtr> Runtime = new(() => Load("libcudart.so.12", "libcudart.so.13", "libcudart.so", "libcudart*.so*"));
    private static readonly Lazy<IntPtr> Cudnn = new(() => Load("libcudnn.so.9", "libcudnn.so", "libcudnn*.so*"));

    private static readonly ConcurrentDictionary<int, CudaDevice> Described = new();

    /// <summary>The device's facts, read once per process.</summary>
    public static CudaDevice Describe(int index) => Described.GetOrAdd(index, Read);

    private static CudaDevice Read(int index)
    {
        var name = "unknown device";
        long total = -1;
        var properties = Function<GetProperties>(Runtime.Value, "cudaGetDeviceProperties_v2") ?? Function<GetProperties>(Runtime.Value, "cudaGetDeviceProperties");
        if (properties is not null)
        {
            // cudaDeviceProp begins with char name[256]; the whole struct is about 1 KiB in CUDA 12.
            var buffer = Marshal.AllocHGlobal(8192);
            try
            {
                if (properties(buffer, index) == 0) name = Marshal.PtrToStringAnsi(buffer) ?? name;
            }
            finally { Marshal.FreeHGlobal(buffer); }
        }
        if (MemoryInUse(index) is { } memory) total = memory.Total;
        return new CudaDevice(index, name, total, Version(Function<GetVersion>(Runtime.Value, "cudaRuntimeGetVersion")),
            Version(Function<GetVersion>(Runtime.Value, "cudaDriverGetVersion")),
            Function<CudnnGetVersion>(Cudnn.Value, "cudnnGetVersion") is { } cudnn ? cudnn().ToString() : "unknown");
    }

    /// <summary>Device memory in use (by every process on it) and its total, from cudaMemGetInfo; null without the runtime.</summary>
    public static (long Used, long Total)? MemoryInUse(int index)
    {
        if (Function<SetDevice>(Runtime.Value, "cudaSetDevice") is not { } set || Function<MemGetInfo>(Runtime.Value, "cudaMemGetInfo") is not { } info) return null;
        if (set(index) != 0 || info(out var free, out var total) != 0) return null;
        return ((long)(total - free), (long)total);
    }

    /// <summary>A CUDA version number (12080) as "12.8".</summary>
    private static string Version(GetVersion? get) => get is not null && get(out var v) == 0 ? $"{v / 1000}.{v % 1000 / 10}" : "unknown";

    private static T? Function<T>(IntPtr library, string name) where T : Delegate =>
        library != IntPtr.Zero && NativeLibrary.TryGetExport(library, name, out var address) ? Marshal.GetDelegateForFunctionPointer<T>(address) : null;

    /// <summary>The first library that loads: by name, or by pattern in the folder of the loaded libtorch (whose bundled copies carry hashes).</summary>
    private static IntPtr Load(params string[] names)
    {
        foreach (var name in names.Where(n => !n.Contains('*')))
            if (NativeLibrary.TryLoad(name, typeof(TorchSharp.torch).Assembly, null, out var handle)) return handle;
        var folders = new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") }.Where(Directory.Exists);
        foreach (var pattern in names.Where(n => n.Contains('*')))
            foreach (var file in folders.SelectMany(f => Directory.GetFiles(f, pattern)).Order(StringComparer.Ordinal))
                if (NativeLibrary.TryLoad(file, out var handle)) return handle;
        return IntPtr.Zero;
    }
}
