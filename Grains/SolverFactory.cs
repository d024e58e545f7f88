using Microsoft.Extensions.Options;
using SegCluster.Contracts;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Grains;

/// <summary>The methods a run can evaluate, by name, built from the fold's trained checkpoint where they need one.</summary>
public sealed class SolverFactory(ModelCache models, IOptions<SiloSettings> settings)
{
    private readonly Device device = DeviceSlot.Parse(settings.Value.ResolvedScoringDevice).Device;

    /// <summary>The methods of the paper's Table 1 implemented so far (what `reproduce` runs).</summary>
    public static readonly IReadOnlyList<string> PaperMethods = ["oslsm", "1-nn", "logreg", "finetune", "siamese", "co-segmentation"];

    /// <summary>Every method: the paper's, and two trivial references every method must beat.</summary>
    public static readonly IReadOnlyList<string> Methods = [.. PaperMethods, "all-foreground", "copy-support-mask"];

    /// <summary>Methods that read the fold's base classifier (trained after OSLSM when a run asks for them).</summary>
    public static bool NeedsBaseClassifier(string method) => method is "1-nn" or "logreg" or "finetune" or "co-segmentation";

    /// <summary>The trained network a method reads: "oslsm", "base-classifier", "siamese", or none (trivial references).</summary>
    public static string? NetworkOf(string method) => method switch
    {
        "oslsm" => "oslsm",
        "siamese" => "siamese",
        _ when NeedsBaseClassifier(method) => "base-classifier",
        _ => null,
    };

    /// <summary>As in the paper's tables: co-segmentation needs several images (5-shot row), fine-tuning and Siamese are 1-shot; the rest take any k.</summary>
    public static bool Supports(string method, int shots) => method switch
    {
        "co-segmentation" => shots > 1,
        "finetune" or "siamese" => shots == 1,
        _ => true,
    };

    /// <param name="checkpoint">The checkpoint of the network the method reads (<see cref="FoldGrain"/> picks it by <see cref="NetworkOf"/>).</param>
    /// <remarks>Networks are loaded onto the silo's scoring device (<see cref="SiloSettings.ScoringDevice"/>).</remarks>
    public IEpisodeSolver Create(string method, RunConfig config, int fold, string checkpoint) => Create(method, config,
        () => models.Get(checkpoint, device, d => new OslsmNetwork(Preset(config), config.Seed + (ulong)fold, d), InferencePrecision.ScalarTypeOf(config.InferencePrecision)),
        () => models.Get(checkpoint, device, d => new PixelClassifierNetwork(Preset(config), config.Seed + (ulong)fold, d)),
        () => models.Get(checkpoint, device, d => new SiameseNetwork(Preset(config), config.Seed + (ulong)fold, d)));

    /// <summary>
    /// A method's solver over the network it reads (asked for only when the method needs it). OSLSM runs in the type
    /// of the network it is given (the run's <see cref="RunConfig.InferencePrecision"/>, converted by the model cache).
    /// </summary>
    public static IEpisodeSolver Create(string method, RunConfig config, Func<OslsmNetwork> oslsm, Func<PixelClassifierNetwork> baseClassifier,
        Func<SiameseNetwork> siamese) => method switch
    {
        "oslsm" => new OslsmSolver(oslsm(), config.Threshold),
        "1-nn" => new NearestNeighbourSolver(baseClassifier()),
        "logreg" => new LogisticRegressionSolver(baseClassifier()),
        "finetune" => new FineTuningSolver(baseClassifier(), config.FineTuneIterations, config.FineTuneLearningRate),
        "co-segmentation" => new CosegmentationSolver(baseClassifier()),
        // 0: a config stored before the setting existed, which compared every cell.
        "siamese" => new SiameseSolver(siamese(), config.SiameseSupportSampling > 0 ? config.SiameseSupportSampling : 1, config.Seed),
        "all-foreground" => new AllForegroundSolver(),
        "copy-support-mask" => new SupportMaskSolver(),
        _ => throw new ArgumentException($"unknown method '{method}'"),
    };

    private static OslsmPreset Preset(RunConfig config) =>
        OslsmPreset.Named(config.Preset) with { QuerySize = config.QuerySize, SupportSize = config.SupportSize };
}
