using System.CommandLine;
using SegCluster.Contracts;
using SegCluster.Experiment;

namespace SegCluster.Cli.Commands;

/// <summary>The options that describe a run, shared by `launch` and `reproduce`; defaults are the paper's protocol.</summary>
public sealed class RunOptions(params string[] defaultMethods)
{
    /// <summary>The paper's protocol; sizes and the baselines' iterations 0 until known: the preset's, or --iterations.</summary>
    private readonly RunConfig defaults = RunConfig.PaperProtocol with
    {
        Methods = defaultMethods.Length > 0 ? defaultMethods : ["oslsm"], QuerySize = 0, SupportSize = 0, BaseIterations = 0, SiameseIterations = 0,
    };
    public Option<FileInfo?> Config { get; } = new("--config") { Description = "a JSON file of run settings (RunConfig's keys, as runs are stored); options given override it" };
    public Option<string?> RunId { get; } = new("--run-id") { Description = "run id (default: generated)" };
    public Option<int[]> Folds { get; } = new("--folds") { AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [0, 1, 2, 3] };
    public Option<int[]> Shots { get; } = new("--shots") { AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1, 5] };
    public Option<string[]> Methods { get; } = new("--methods")
    {
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => defaultMethods.Length > 0 ? defaultMethods : ["oslsm"],
    };
    public Option<string> Preset { get; } = new("--preset") { DefaultValueFactory = _ => "vgg16-fcn32s" };
    public Option<int?> QuerySize { get; } = new("--query-size") { Description = "default: the preset's" };
    public Option<int?> SupportSize { get; } = new("--support-size") { Description = "default: the preset's" };
    public Option<DirectoryInfo?> Voc { get; } = new("--voc") { Description = "VOCdevkit (or VOC2012) folder" };
    public Option<DirectoryInfo?> Sbd { get; } = new("--sbd") { Description = "benchmark_RELEASE (or its dataset) folder" };
    public Option<DirectoryInfo?> Aug { get; } = new("--aug") { Description = "SegmentationClassAug folder" };
    public Option<FileInfo?> Weights { get; } = new("--weights") { Description = "ImageNet weights (torchvision state dict .pth)" };
    public Option<int> Iterations { get; } = new("--iterations") { DefaultValueFactory = _ => 60000 };
    public Option<int?> BaseIterations { get; } = new("--base-iterations") { Description = "base classifier of 1-nn, logreg, finetune, co-segmentation (default: --iterations)" };
    public Option<int?> SiameseIterations { get; } = new("--siamese-iterations") { Description = "Siamese baseline's training (default: --iterations)" };
    public Option<double> SiameseSampling { get; } = new("--siamese-sampling") { Description = "Siamese baseline: share of support cells compared (paper: 0.3 as an option)", DefaultValueFactory = _ => 1 };
    public Option<int> FineTuneIterations { get; } = new("--finetune-iterations") { Description = "finetune baseline: Adam steps per episode", DefaultValueFactory = _ => 100 };
    public Option<double> FineTuneLearningRate { get; } = new("--finetune-lr") { Description = "finetune baseline: Adam step size", DefaultValueFactory = _ => 1e-4 };
    public Option<int> CheckpointEvery { get; } = new("--checkpoint-every") { DefaultValueFactory = _ => 1000 };
    public Option<int> Episodes { get; } = new("--episodes") { DefaultValueFactory = _ => 1000 };
    public Option<int> BatchSize { get; } = new("--batch-size") { DefaultValueFactory = _ => 50 };
    public Option<ulong> Seed { get; } = new("--seed") { DefaultValueFactory = _ => 1 };
    public Option<double?> LearningRate { get; } = new("--lr") { Description = "default: 1e-10 (summed loss, SGD)" };
    public Option<string> Optimizer { get; } = new("--optimizer") { DefaultValueFactory = _ => "sgd" };
    public Option<string> Loss { get; } = new("--loss") { Description = "sum (paper) or mean", DefaultValueFactory = _ => "sum" };
    public Option<double> Threshold { get; } = new("--threshold") { DefaultValueFactory = _ => 0.5 };
    public Option<string> Precision { get; } = new("--precision") { Description = "OSLSM's forward when scoring: fp32 or bf16", DefaultValueFactory = _ => "fp32" };
    public Option<DirectoryInfo?> EpisodeLists { get; } = new("--episode-lists") { Description = "folder of episode lists from `data episodes` (fold{f}-{k}shot.txt)" };
    public Option<DirectoryInfo?> FoldLists { get; } = new("--fold-lists") { Description = "folder of published fold lists (fold{f}.txt, 'image class' per line)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, RunId, Folds, Shots, Methods, Preset, QuerySize, SupportSize, Voc, Sbd, Aug, Weights, Iterations, BaseIterations, SiameseIterations, SiameseSampling, FineTuneIterations, FineTuneLearningRate,
                     CheckpointEvery, Episodes, BatchSize, Seed, LearningRate, Optimizer, Loss, Threshold, Precision, EpisodeLists, FoldLists })
            command.Options.Add(option);
    }

    /// <summary>The run config: the --config file over the paper's protocol (or the protocol alone), then every option given.</summary>
    public RunConfig Read(ParseResult parse)
    {
        var config = parse.GetValue(Config) is { } file ? RunConfigFile.Load(file.FullName, defaults) : defaults;
        T Given<T>(Option<T> option, T current) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : current;
        string? GivenPath(Option<DirectoryInfo?> option, string? current) => Given(option, null)?.FullName ?? current;

        var preset = OslsmPreset.Named(Given(Preset, config.Preset));
        var loss = Given(Loss, config.MeanLoss ? "mean" : "sum");
        if (loss is not ("sum" or "mean")) throw new ArgumentException("--loss: sum or mean");
        var iterations = Given(Iterations, config.Iterations);
        var runId = Given(RunId, config.RunId);
        return config with
        {
            RunId = string.IsNullOrEmpty(runId) ? NewRunId("run") : runId,
            Folds = Given(Folds, config.Folds),
            Shots = Given(Shots, config.Shots),
            Methods = Given(Methods, config.Methods),
            Preset = preset.Name,
            QuerySize = Given(QuerySize, null) ?? (config.QuerySize > 0 ? config.QuerySize : preset.QuerySize),
            SupportSize = Given(SupportSize, null) ?? (config.SupportSize > 0 ? config.SupportSize : preset.SupportSize),
            Voc = GivenPath(Voc, config.Voc) is { Length: > 0 } voc ? voc : throw new ArgumentException("--voc: required (the VOCdevkit folder)"),
            Sbd = GivenPath(Sbd, config.Sbd),
            Aug = GivenPath(Aug, config.Aug),
            ImageNetWeights = Given(Weights, null)?.FullName ?? config.ImageNetWeights,
            Iterations = iterations,
            BaseIterations = Given(BaseIterations, null) ?? (config.BaseIterations > 0 ? config.BaseIterations : iterations),
            SiameseIterations = Given(SiameseIterations, null) ?? (config.SiameseIterations > 0 ? config.SiameseIterations : iterations),
            SiameseSupportSampling = Given(SiameseSampling, config.SiameseSupportSampling),
            FineTuneIterations = Given(FineTuneIterations, config.FineTuneIterations),
            FineTuneLearningRate = Given(FineTuneLearningRate, config.FineTuneLearningRate),
            CheckpointEvery = Given(CheckpointEvery, config.CheckpointEvery),
            Episodes = Given(Episodes, config.Episodes),
            BatchSize = Given(BatchSize, config.BatchSize),
            Seed = Given(Seed, config.Seed),
            LearningRate = Given(LearningRate, null) ?? config.LearningRate,
            Optimizer = Given(Optimizer, config.Optimizer),
            MeanLoss = loss == "mean",
            Threshold = Given(Threshold, config.Threshold),
            InferencePrecision = Given(Precision, config.InferencePrecision ?? ""),
            EpisodeLists = GivenPath(EpisodeLists, config.EpisodeLists),
            FoldLists = GivenPath(FoldLists, config.FoldLists),
        };
    }

    public static string NewRunId(string prefix) => $"{prefix}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";
}
