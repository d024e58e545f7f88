namespace SegCluster.Contracts;

/// <summary>
/// Everything that decides a run, recorded with it. Paths are as the silos see them (a shared volume in k8s).
/// Defaults follow the paper where one applies (1000 episodes, 1- and 5-shot, lr 1e-10, momentum 0.99).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunConfig
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public int[] Folds { get; init; } = [0, 1, 2, 3];
    [Id(2)] public int[] Shots { get; init; } = [1, 5];
    [Id(3)] public string[] Methods { get; init; } = ["oslsm"];
    [Id(4)] public string Preset { get; init; } = "vgg16-fcn32s";
    [Id(5)] public int QuerySize { get; init; } = 500;
    [Id(6)] public int SupportSize { get; init; } = 224;
    [Id(7)] public string Voc { get; init; } = "";
    [Id(8)] public string? Sbd { get; init; }
    [Id(9)] public string? Aug { get; init; }
    [Id(10)] public string? ImageNetWeights { get; init; }
    [Id(11)] public int Iterations { get; init; } = 60000;
    [Id(12)] public int CheckpointEvery { get; init; } = 1000;
    [Id(13)] public int ProgressEvery { get; init; } = 50;
    [Id(14)] public int Episodes { get; init; } = 1000;
    [Id(15)] public int BatchSize { get; init; } = 50;
    [Id(16)] public ulong Seed { get; init; } = 1;
    [Id(17)] public double LearningRate { get; init; } = 1e-10;
    [Id(18)] public double Momentum { get; init; } = 0.99;
    [Id(19)] public double ConditioningLearningRateMultiplier { get; init; } = 0.1;
    [Id(20)] public bool SumLoss { get; init; } = true;
    [Id(21)] public string Optimizer { get; init; } = "sgd";
    [Id(22)] public double Threshold { get; init; } = 0.5;
    [Id(23)] public int MinClassPixels { get; init; } = 1;
}
