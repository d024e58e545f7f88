using SegCluster.Contracts;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;

namespace SegCluster.Grains;

/// <summary>The methods a run can evaluate, by name, built from the fold's trained checkpoint where they need one.</summary>
public sealed class SolverFactory(ModelCache models)
{
    /// <summary>The methods of the paper's Table 1 implemented so far (what `reproduce` runs).</summary>
    public static readonly IReadOnlyList<string> PaperMethods = ["oslsm", "1-nn", "logreg", "co-segmentation"];

    /// <summary>Every method: the paper's, and two trivial references every method must beat.</summary>
    public static readonly IReadOnlyList<string> Methods = [.. PaperMethods, "all-foreground", "copy-support-mask"];

    /// <summary>Methods that read the fold's base classifier (trained after OSLSM when a run asks for them).</summary>
    public static bool NeedsBaseClassifier(string method) => method is "1-nn" or "logreg" or "co-segmentation";

    /// <summary>Co-segmentation needs several images (the paper reports it 5-shot only); the rest take any k.</summary>
    public static bool Supports(string method, int shots) => method != "co-segmentation" || shots > 1;

    /// <param name="checkpoint">The fold's OSLSM checkpoint, or its base classifier's for the methods that need it.</param>
    public IEpisodeSolver Create(string method, RunConfig config, int fold, string checkpoint) => method switch
    {
        "oslsm" => new OslsmSolver(models.Get(checkpoint, () => new OslsmNetwork(Preset(config), config.Seed + (ulong)fold)), config.Threshold),
        "1-nn" => new NearestNeighbourSolver(BaseClassifier(config, fold, checkpoint)),
        "logreg" => new LogisticRegressionSolver(BaseClassifier(config, fold, checkpoint)),
        "co-segmentation" => new CosegmentationSolver(BaseClassifier(config, fold, checkpoint)),
        "all-foreground" => new AllForegroundSolver(),
        "copy-support-mask" => new SupportMaskSolver(),
        _ => throw new ArgumentException($"unknown method '{method}'"),
    };

    private PixelClassifierNetwork BaseClassifier(RunConfig config, int fold, string checkpoint) =>
        models.Get(checkpoint, () => new PixelClassifierNetwork(Preset(config), config.Seed + (ulong)fold));

    private static OslsmPreset Preset(RunConfig config) =>
        OslsmPreset.Named(config.Preset) with { QuerySize = config.QuerySize, SupportSize = config.SupportSize };
}
