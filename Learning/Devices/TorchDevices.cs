using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SegCluster.Learning.Devices;

/// <summary>What this process's libtorch can run on, and the switches and facts that go with a CUDA device.</summary>
public static class TorchDevices
{
    /// <summary>Null when torch can run on the slot's device here; otherwise why not, in one line.</summary>
    public static string? Unavailable(DeviceSlot slot)
    {
        if (!slot.IsCuda) return null;
        if (!torch.cuda.is_available())
        {
            if (!NativeLibrary.TryLoad("libtorch_cuda.so", typeof(torch).Assembly, null, out _))
                return "this build's libtorch is CPU-only (libtorch_cuda.so is not loaded); build with -p:TorchBackend=cuda";
            if (!NativeLibrary.TryLoad("libcuda.so.1", out _))
                return "libtorch has CUDA but no NVIDIA driver is installed (libcuda.so.1 not found)";
            return "libtorch has CUDA and the driver loads, but CUDA reports no usable device";
        }
        var count = torch.cuda.device_count();
        return slot.Index < count ? null : $"CUDA sees {count} device{(count == 1 ? "" : "s")} (cuda:0..cuda:{count - 1}), not cuda:{slot.Index}";
    }

    /// <summary>
    /// The device a tensor really is on, as provenance and the dashboard show it: "cpu", or
    /// "cuda:0 (NVIDIA H200; CUDA 12.8, cuDNN 91002)".
    /// </summary>
    public static string Describe(Device device)
    {
        if (device.type != DeviceType.CUDA) return device.type.ToString().ToLowerInvariant();
        var gpu = Cuda.Describe(Math.Max(device.index, 0));
        return $"cuda:{gpu.Index} ({gpu.Name}; CUDA {gpu.Runtime}, cuDNN {gpu.Cudnn})";
    }

    /// <summary>The device of a module's first parameter (its tensors'), described as <see cref="Describe(Device)"/> does.</summary>
    public static string DescribeModule(nn.Module module) =>
        module.parameters().FirstOrDefault() is { } p ? Describe(p.device) : "cpu";

    private static int reproducible;

    /// <summary>
    /// Settings for CUDA work, once per process: libtorch's deterministic switches (PyTorch's
    /// use_deterministic_algorithms and cudnn.deterministic, cudnn.benchmark off; cuBLAS reads its workspace setting when
    /// it starts) and float32 arithmetic in convolutions and matrix products (TF32 off), so a GPU run repeats itself and
    /// computes what the CPU path computes. The CPU path never sets them: its results stay bit for bit as before.
    /// </summary>
    public static void UseReproducibleCuda()
    {
        if (Interlocked.Exchange(ref reproducible, 1) == 1) return;
        // cuBLAS reads it natively with getenv, which Environment.SetEnvironmentVariable does not reach on Linux.
        if (Environment.GetEnvironmentVariable("CUBLAS_WORKSPACE_CONFIG") is null) _ = SetEnv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 0);
        var context = GlobalContext();
        SetDeterministicAlgorithms(context, true, false);
        SetDeterministicCudnn(context, true);
        SetBenchmarkCudnn(context, false);
        torch.backends.cuda.matmul.allow_tf32 = false;
        torch.backends.cudnn.allow_tf32 = false;
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context26setDeterministicAlgorithmsEbb")]
    private static extern void SetDeterministicAlgorithms(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled, [MarshalAs(UnmanagedType.U1)] bool warnOnly);

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context21setDeterministicCuDNNEb")]
    private static extern void SetDeterministicCudnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context17setBenchmarkCuDNNEb")]
    private static extern void SetBenchmarkCudnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
