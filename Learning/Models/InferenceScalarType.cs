using SegCluster.Experiment;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>The tensor type of an <see cref="Experiment.InferencePrecision"/> name.</summary>
public static class InferenceScalarType
{
    public static ScalarType Of(string? precision) => precision switch
    {
        InferencePrecision.Float32 => ScalarType.Float32,
        InferencePrecision.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentException($"unknown inference precision '{precision}': {string.Join(" or ", InferencePrecision.Names)}", nameof(precision)),
    };
}
