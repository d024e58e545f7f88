using Microsoft.Extensions.Options;
using SegCluster.Contracts;
using SegCluster.Experiment;
using SegCluster.Learning.Devices;
using SegCluster.Learning.Evaluation;
using SegCluster.Learning.Evaluation.Baselines;
using SegCluster.Learning.Models;
using static TorchSharp.torch;

namespace SegCluster.Grains;

/// <summary>The methods a run can evaluate, built from the fold's trained checkpoint where they need one.</summary>
public sealed class SolverFactory(ModelCache models, IOptions<SiloSettings> settings)
{
    private readonly Device device = DeviceSlot.Parse(settings.Value.ResolvedScoringDevice).Device;

    /// <param name="checkpoint">The checkpoint of the network the method reads (<see cref="FoldGrain"/> picks it by <see cref="MethodCatalog.NetworkOf"/>).</param>
    /// <remarks>Networks are loaded onto the silo's scoring device (<see cref="SiloSettings.ScoringDevice"/>).</remarks>
    public IEpisodeSolver Create(Method method, RunConfig config, int fold, string checkpoint) => Create(method, config,
        () => models.Get(checkpoint, device, d => new OslsmNetwork(Preset(config), config.Seed + (ulong)fold, d), InferenceScalarType.Of(config.InferencePrecision)),
        () => models.Get(checkpoint, device, d => new PixelClassifierNetwork(Preset(config), config.Seed + (ulong)fold, d)),
        () => models.Get(checkpoint, device, d => new SiameseNetwork(Preset(config), config.Seed + (ulong)fold, d)));

    /// <summary>
    /// A method's solver over the network it reads (asked for only when the method needs it). OSLSM runs in the type
    /// of the network it is given (the run's <see cref="RunConfig.InferencePrecision"/>, converted by the model cache).
    /// </summary>
    public static IEpisodeSolver Create(Method method, RunConfig config, Func<OslsmNetwork> oslsm, Func<PixelClassifierNetwork> baseClassifier,
        Func<SiameseNetwork> siamese) => method switch
    {
        Method.Oslsm => new OslsmSolver(oslsm(), config.Threshold),
        Method.OslsmMeanLogits => new OslsmSolver(oslsm(), config.Threshold, SupportCombination.MeanLogits),
        Method.OslsmMeanParameters => new OslsmSolver(oslsm(), config.Threshold, SupportCombination.MeanParameters),
        Method.OslsmOtherClass => new OslsmSolver(oslsm(), config.Threshold),   // its batches carry the other class's supports
        Method.NearestNeighbour => new NearestNeighbourSolver(baseClassifier()),
        Method.LogisticRegression => new LogisticRegressionSolver(baseClassifier()),
        Method.FineTuning => new FineTuningSolver(baseClassifier(), config.FineTuneIterations, config.FineTuneLearningRate),
        Method.Cosegmentation => new CosegmentationSolver(baseClassifier()),
        Method.Siamese => new SiameseSolver(siamese(), config.SiameseSupportSampling, config.Seed),
        Method.AllForeground => new AllForegroundSolver(),
        Method.CopySupportMask => new SupportMaskSolver(),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "not a method"),
    };

    private static OslsmPreset Preset(RunConfig config) => FoldSetup.Training(config, config.Folds[0]).ResolvedPreset;
}
