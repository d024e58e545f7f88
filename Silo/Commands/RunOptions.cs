using System.CommandLine;
using SegCluster.Contracts;

namespace SegCluster.Silo.Commands;

/// <summary>The options that describe a run, shared by `launch` and `reproduce`; defaults are the paper's protocol.</summary>
public sealed class RunOptions(params string[] defaultMethods)
{
    private readonly RunConfig defaults = RunConfig.PaperProtocol;
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
    public Option<DirectoryInfo?> EpisodeLists { get; } = new("--episode-lists") { Description = "folder of episode lists from `data episodes` (fold{f}-{k}shot.txt)" };
    public Option<DirectoryInfo?> FoldLists { get; } = new("--fold-lists") { Description = "folder of published fold lists (fold{f}.txt, 'image class' per line)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { RunId, Folds, Shots, Methods, Preset, QuerySize, SupportSize, Voc, Sbd, Aug, Weights, Iterations, BaseIterations, SiameseIterations, FineTuneIterations, FineTuneLearningRate,
                     CheckpointEvery, Episodes, BatchSize, Seed, LearningRate, Optimizer, Loss, Threshold, EpisodeLists, FoldLists })
            command.Options.Add(option);
    }

    public RunConfig Read(ParseResult parse)
    {
        var preset = Learning.Models.OslsmPreset.Named(parse.GetValue(Preset)!);
        var loss = parse.GetValue(Loss);
        if (loss is not ("sum" or "mean")) throw new ArgumentException("--loss: sum or mean");
        return defaults with
        {
            RunId = parse.GetValue(RunId) ?? NewRunId("run"),
            Folds = parse.GetValue(Folds)!,
            Shots = parse.GetValue(Shots)!,
            Methods = parse.GetValue(Methods)!,
            Preset = preset.Name,
            QuerySize = parse.GetValue(QuerySize) ?? preset.QuerySize,
            SupportSize = parse.GetValue(SupportSize) ?? preset.SupportSize,
            Voc = parse.GetValue(Voc)?.FullName ?? throw new ArgumentException("--voc: required (the VOCdevkit folder)"),
            Sbd = parse.GetValue(Sbd)?.FullName,
            Aug = parse.GetValue(Aug)?.FullName,
            ImageNetWeights = parse.GetValue(Weights)?.FullName,
            Iterations = parse.GetValue(Iterations),
            BaseIterations = parse.GetValue(BaseIterations) ?? parse.GetValue(Iterations),
            SiameseIterations = parse.GetValue(SiameseIterations) ?? parse.GetValue(Iterations),
            FineTuneIterations = parse.GetValue(FineTuneIterations),
            FineTuneLearningRate = parse.GetValue(FineTuneLearningRate),
            CheckpointEvery = parse.GetValue(CheckpointEvery),
            Episodes = parse.GetValue(Episodes),
            BatchSize = parse.GetValue(BatchSize),
            Seed = parse.GetValue(Seed),
            LearningRate = parse.GetValue(LearningRate) ?? defaults.LearningRate,
            Optimizer = parse.GetValue(Optimizer)!,
            MeanLoss = loss == "mean",
            Threshold = parse.GetValue(Threshold),
            EpisodeLists = parse.GetValue(EpisodeLists)?.FullName,
            FoldLists = parse.GetValue(FoldLists)?.FullName,
        };
    }

    public static string NewRunId(string prefix) => $"{prefix}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";
}
