using SegCluster.Contracts;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Models;

namespace SegCluster.Grains;

/// <summary>The methods a run can evaluate, by name, built from the fold's trained checkpoint where they need one.</summary>
public sealed class SolverFactory(ModelCache models)
{
    /// <summary>"oslsm" is the paper's method; the other two are trivial references every method must beat.</summary>
    public static readonly IReadOnlyList<string> Methods = ["oslsm", "all-foreground", "copy-support-mask"];

    /// <summary>The methods of the paper's Table 1 implemented so far: what `reproduce` runs.</summary>
    public static readonly IReadOnlyList<string> PaperMethods = ["oslsm"];

    public IEpisodeSolver Create(string method, RunConfig config, int fold, string checkpoint) => method switch
    {
        "oslsm" => new OslsmSolver(
            models.Get(checkpoint, OslsmPreset.Named(config.Preset) with { QuerySize = config.QuerySize, SupportSize = config.SupportSize },
                config.Seed + (ulong)fold),
            config.Threshold),
        "all-foreground" => new AllForegroundSolver(),
        "copy-support-mask" => new SupportMaskSolver(),
        _ => throw new ArgumentException($"unknown method '{method}'"),
    };
}
