namespace SegCluster.Contracts;

/// <summary>
/// Everything that decides a run, recorded with it. Paths are as the silos see them (a shared volume in k8s).
/// Each member is a run setting, described once in Experiment's RunSettings (start from RunSettings.PaperProtocol).
/// Members carry no initialisers: Orleans' serializer omits members equal to default(T), so an initialiser would
/// silently turn a 0 or false back into the default on the way through a grain call or grain storage.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunConfig
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public int[] Folds { get; init; } = [];
    [Id(2)] public int[] Shots { get; init; } = [];
    [Id(3)] public Method[] Methods { get; init; } = [];
    [Id(4)] public string Preset { get; init; } = "";
    [Id(5)] public int QuerySize { get; init; }
    [Id(6)] public int SupportSize { get; init; }
    [Id(7)] public string Voc { get; init; } = "";
    [Id(8)] public string? Sbd { get; init; }
    [Id(9)] public string? Aug { get; init; }
    [Id(10)] public string? ImageNetWeights { get; init; }
    [Id(11)] public int Iterations { get; init; }
    [Id(12)] public int CheckpointEvery { get; init; }
    [Id(13)] public int ProgressEvery { get; init; }
    [Id(14)] public int Episodes { get; init; }
    [Id(15)] public int BatchSize { get; init; }
    [Id(16)] public ulong Seed { get; init; }
    [Id(17)] public double LearningRate { get; init; }
    [Id(18)] public double Momentum { get; init; }
    [Id(19)] public double ConditioningLearningRateMultiplier { get; init; }
    [Id(20)] public LossReduction Loss { get; init; }
    [Id(21)] public Optimizer Optimizer { get; init; }
    [Id(22)] public double Threshold { get; init; }
    [Id(23)] public int MinClassPixels { get; init; }
    [Id(24)] public string? EpisodeLists { get; init; }
    [Id(25)] public string? FoldLists { get; init; }
    [Id(26)] public int BaseIterations { get; init; }
    [Id(27)] public int FineTuneIterations { get; init; }
    [Id(28)] public double FineTuneLearningRate { get; init; }
    [Id(29)] public int SiameseIterations { get; init; }
    [Id(30)] public double SiameseSupportSampling { get; init; }
    [Id(31)] public InferencePrecision InferencePrecision { get; init; }
    [Id(32)] public bool DropSmallObjects { get; init; }
    [Id(33)] public TestSampler TestSampler { get; init; }
    [Id(34)] public int EpisodesPerStep { get; init; }
    [Id(35)] public double WeightDecay { get; init; }
    [Id(36)] public double BiasLearningRateMultiplier { get; init; }
    [Id(37)] public int SeenClassEpisodes { get; init; }
    [Id(38)] public int TestSeeds { get; init; }
    [Id(39)] public bool FromScratch { get; init; }
    [Id(40)] public int EvaluateEvery { get; init; }
    [Id(41)] public int EvaluationEpisodes { get; init; }
}
