namespace SegCluster.Contracts;

/// <summary>
/// Everything that decides a run, recorded with it. Paths are as the silos see them (a shared volume in k8s).
/// Start from <see cref="PaperProtocol"/>. Members carry no initialisers of their own: Orleans' serializer omits
/// members equal to default(T), so an initialiser would silently turn a 0 or false back into the default on the
/// way through a grain call or grain storage.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunConfig
{
    [Id(0)] public string RunId { get; init; } = "";
    [Id(1)] public int[] Folds { get; init; } = [];
    [Id(2)] public int[] Shots { get; init; } = [];
    [Id(3)] public string[] Methods { get; init; } = [];
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
    [Id(20)] public bool MeanLoss { get; init; }
    [Id(21)] public string Optimizer { get; init; } = "";
    [Id(22)] public double Threshold { get; init; }
    [Id(23)] public int MinClassPixels { get; init; }

    /// <summary>Optional folder of episode lists (fold{f}-{k}shot.txt, from `data episodes`): the test episodes to use.</summary>
    [Id(24)] public string? EpisodeLists { get; init; }

    /// <summary>Optional folder of published fold lists (fold{f}.txt, "image class" per line) restricting D_test.</summary>
    [Id(25)] public string? FoldLists { get; init; }

    /// <summary>Iterations of the baselines' base classifier (16-way FCN on D_train), trained when a method needs it.</summary>
    [Id(26)] public int BaseIterations { get; init; }

    /// <summary>The fine-tuning baseline's per-episode Adam steps and step size.</summary>
    [Id(27)] public int FineTuneIterations { get; init; }
    [Id(28)] public double FineTuneLearningRate { get; init; }

    /// <summary>Iterations of the Siamese baseline's pixel-verification training, when the run asks for it.</summary>
    [Id(29)] public int SiameseIterations { get; init; }

    /// <summary>Share of the support cells the Siamese baseline compares each query cell with (the paper mentions 0.3); 1 keeps all.</summary>
    [Id(30)] public double SiameseSupportSampling { get; init; }

    /// <summary>The number format of OSLSM's forward pass when scoring: "fp32", or "bf16" (empty: fp32, as recorded before the setting).</summary>
    [Id(31)] public string? InferencePrecision { get; init; }

    /// <summary>
    /// The paper's protocol: folds 0..3, 1- and 5-shot, 1000 episodes, VGG-16 FCN-32s at 500x500 (supports 224x224),
    /// SGD at lr 1e-10 on the summed loss, momentum 0.99, eta multiplier 0.1, 60k iterations, threshold 0.5.
    /// </summary>
    public static RunConfig PaperProtocol => new()
    {
        Folds = [0, 1, 2, 3],
        Shots = [1, 5],
        Methods = ["oslsm"],
        Preset = "vgg16-fcn32s",
        QuerySize = 500,
        SupportSize = 224,
        Iterations = 60000,
        BaseIterations = 60000,
        FineTuneIterations = 100,
        FineTuneLearningRate = 1e-4,
        SiameseIterations = 60000,
        SiameseSupportSampling = 1,
        InferencePrecision = "fp32",
        CheckpointEvery = 1000,
        ProgressEvery = 50,
        Episodes = 1000,
        BatchSize = 50,
        Seed = 1,
        LearningRate = 1e-10,
        Momentum = 0.99,
        ConditioningLearningRateMultiplier = 0.1,
        Optimizer = "sgd",
        Threshold = 0.5,
        MinClassPixels = 1,
    };
}
