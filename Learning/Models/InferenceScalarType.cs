using SegCluster.Contracts;
using static TorchSharp.torch;

namespace SegCluster.Learning.Models;

/// <summary>The tensor type of an <see cref="InferencePrecision"/>.</summary>
public static class InferenceScalarType
{
    public static ScalarType Of(InferencePrecision precision) => precision switch
    {
        InferencePrecision.Float32 => ScalarType.Float32,
        InferencePrecision.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "not an inference precision"),
    };
}
