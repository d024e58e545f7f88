using System.Text.RegularExpressions;

namespace SegCluster.Experiment;

/// <summary>
/// The number format OSLSM's forward pass runs in at test time: "fp32" (the default, as trained) or "bf16"
/// (bfloat16 weights and activations: oneDNN's bf16 kernels, several times the fp32 rate on CPUs with AVX512-BF16
/// or AMX; elsewhere emulated and slower). Training is always fp32.
/// </summary>
public static class InferencePrecision
{
    public const string Float32 = "fp32";
    public const string BFloat16 = "bf16";

    public static IReadOnlyList<string> Names { get; } = [Float32, BFloat16];

    /// <summary>Whether this machine's CPU has native bf16 arithmetic (AVX512-BF16 or AMX-BF16).</summary>
    public static bool CpuHasBFloat16 { get; } = File.Exists("/proc/cpuinfo") &&
        Regex.IsMatch(File.ReadAllText("/proc/cpuinfo"), @"^flags\s*:.*\b(avx512_bf16|amx_bf16)\b", RegexOptions.Multiline);
}
