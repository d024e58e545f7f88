using SegCluster.Experiment;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>The tensor type of an <see cref="Experiment.InferencePrecision"/> name.</summary>
public static class InferenceScalarType
{
    /// <summary>Empty means fp32 (configs recorded before the setting existed).</summary>
    public static ScalarType Of(string? precision) => precision switch
    {
        null or "" or InferencePrecision.Float32 => ScalarType.Float32,
        InferencePrecision.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentException($"unknown inference precision '{precision}': {string.Join(" or ", InferencePrecision.Names)}", nameof(precision)),
    };
}
