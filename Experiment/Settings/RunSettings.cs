using System.Globalization;
using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// Every run setting (<see cref="RunSetting"/>), in the order the CLI's help and the launch form show them, and the
/// configs made from them: the paper's protocol (each setting's default) and the demo's.
/// </summary>
public static class RunSettings
{
    private const int MaxIterations = 10_000_000;

    public static readonly RunSetting<string> RunId = new("RunId", "run-id", "run id", "the run's id: 1..64 letters, digits, '-' or '_'", SettingKind.Text)
    {
        Get = c => c.RunId, Set = (c, v) => c with { RunId = v ?? "" }, ParseText = t => t, Default = "", DefaultNote = "generated",
        Rule = (v, _) => v.Length is > 0 and <= 64 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null : "1..64 letters, digits, '-' or '_'",
    };

    public static readonly RunSetting<string> Voc = PathSetting("Voc", "voc", "VOC folder", "VOCdevkit (or VOC2012) folder", SettingKind.Folder,
        c => c.Voc, (c, v) => c with { Voc = v ?? "" }, required: true);

    public static readonly RunSetting<string?> Sbd = PathSetting("Sbd", "sbd", "SBD folder", "benchmark_RELEASE (or its dataset) folder", SettingKind.Folder,
        c => c.Sbd, (c, v) => c with { Sbd = v });

    public static readonly RunSetting<string?> Aug = PathSetting("Aug", "aug", "SegmentationClassAug folder", "SegmentationClassAug folder (SBD masks as PNGs)",
        SettingKind.Folder, c => c.Aug, (c, v) => c with { Aug = v });

    public static readonly RunSetting<string?> ImageNetWeights = PathSetting("ImageNetWeights", "weights", "ImageNet weights",
        "ImageNet weights (torchvision state dict .pth: VGG-16, AlexNet, resnet18/34)", SettingKind.File, c => c.ImageNetWeights, (c, v) => c with { ImageNetWeights = v });

    public static readonly RunSetting<bool> FromScratch = new("FromScratch", "from-scratch", "train from scratch",
        "every network from random initial weights, even where ImageNet weights are served (the resnet18 presets start from the package's ResNet18)",
        SettingKind.Choice)
    {
        Get = c => c.FromScratch, Set = (c, v) => c with { FromScratch = v }, ChoiceList = ["false", "true"], Default = false,
        ParseText = t => bool.TryParse(t, out var v) ? v : throw new FormatException("true or false"), FormatText = v => v ? "true" : "false",
        Rule = (v, c) => v && c.ImageNetWeights is not null ? "true with --weights (give one: ImageNet weights or none)" : null,
    };

    public static readonly RunSetting<string?> EpisodeLists = PathSetting("EpisodeLists", "episode-lists", "episode lists folder",
        "folder of episode lists from `data episodes` (fold{f}-{k}shot.txt): the test episodes to use", SettingKind.Folder,
        c => c.EpisodeLists, (c, v) => c with { EpisodeLists = v });

    public static readonly RunSetting<string?> FoldLists = PathSetting("FoldLists", "fold-lists", "fold lists folder",
        "folder of published fold lists (fold{f}.txt, 'image class' per line) restricting D_test", SettingKind.Folder,
        c => c.FoldLists, (c, v) => c with { FoldLists = v });

    public static readonly RunSetting<int[]> Folds = IntListSetting("Folds", "folds", "folds", "PASCAL-5i folds to run", [0, 1, 2, 3],
        c => c.Folds, (c, v) => c with { Folds = v },
        v => v.Length > 0 && v.All(f => f is >= 0 and <= 3) && v.Distinct().Count() == v.Length ? null : "distinct values in 0..3");

    public static readonly RunSetting<int[]> Shots = IntListSetting("Shots", "shots", "shots", "support images per episode, one evaluation each", [1, 5],
        c => c.Shots, (c, v) => c with { Shots = v }, v => v.Length > 0 && v.All(k => k is >= 1 and <= 20) ? null : "values in 1..20");

    public static readonly RunSetting<Method[]> Methods = new("Methods", "methods", "methods", "methods to evaluate", SettingKind.Choices)
    {
        Get = c => c.Methods, Set = (c, v) => c with { Methods = v }, ChoiceList = Names.Of<Method>(), Default = [Method.Oslsm],
        ParseText = t => [.. Words(t).Select(Names.Parse<Method>)], FormatText = v => string.Join(",", v.Select(m => m.Name())),
        Rule = (v, c) =>
        {
            if (v.Length == 0) return $"at least one of {string.Join(", ", Names.Of<Method>())}";
            var idle = v.Where(m => !c.Shots.Any(k => m.Supports(k))).ToList();
            return idle.Count == 0 ? null : string.Join("; ", idle.Select(m =>
                $"{m.Name()} runs for none of the requested shots (co-segmentation and the oslsm-mean variants need more than 1, finetune and siamese are 1-shot)"));
        },
    };

    public static readonly RunSetting<string> Preset = new("Preset", "preset", "preset", "network size", SettingKind.Choice)
    {
        Get = c => c.Preset, Set = (c, v) => c with { Preset = v }, ChoiceList = [.. OslsmPreset.All.Select(p => p.Name)],
        Default = OslsmPreset.Vgg16Fcn32s.Name, ParseText = t => t,
        Rule = (v, _) => OslsmPreset.All.Any(p => p.Name == v) ? null : $"known presets are {string.Join(", ", OslsmPreset.All.Select(p => p.Name))}",
    };

    public static readonly RunSetting<int> QuerySize = IntSetting("QuerySize", "query-size", "query size", "the segmentation branch's input side",
        0, 32, 2048, c => c.QuerySize, (c, v) => c with { QuerySize = v }, derived: (c => PresetOf(c)?.QuerySize ?? 0, "the preset's"));

    public static readonly RunSetting<int> SupportSize = IntSetting("SupportSize", "support-size", "support size", "the conditioning branch's input side",
        0, 32, 2048, c => c.SupportSize, (c, v) => c with { SupportSize = v }, derived: (c => PresetOf(c)?.SupportSize ?? 0, "the preset's"));

    public static readonly RunSetting<int> Iterations = IntSetting("Iterations", "iterations", "iterations", "OSLSM's training iterations per fold",
        60000, 1, MaxIterations, c => c.Iterations, (c, v) => c with { Iterations = v });

    public static readonly RunSetting<int> BaseIterations = IntSetting("BaseIterations", "base-iterations", "base classifier iterations",
        "the base classifier's training (1-nn, logreg, finetune, co-segmentation)", 0, 1, MaxIterations,
        c => c.BaseIterations, (c, v) => c with { BaseIterations = v }, derived: (c => c.Iterations, "--iterations"),
        when: c => c.Methods.Any(m => m.NetworkOf() == "base-classifier"),
        reasonSuffix: " (the base classifier of 1-nn, logreg, finetune and co-segmentation)");

    public static readonly RunSetting<int> SiameseIterations = IntSetting("SiameseIterations", "siamese-iterations", "Siamese iterations",
        "the Siamese baseline's training", 0, 1, MaxIterations, c => c.SiameseIterations, (c, v) => c with { SiameseIterations = v },
        derived: (c => c.Iterations, "--iterations"), when: UsesSiamese);

    public static readonly RunSetting<double> SiameseSupportSampling = DoubleSetting("SiameseSupportSampling", "siamese-sampling",
        "Siamese: share of support cells compared", "the Siamese baseline's share of support cells each query cell is compared with (the paper mentions 0.3)",
        1, c => c.SiameseSupportSampling, (c, v) => c with { SiameseSupportSampling = v },
        (v, c) => !UsesSiamese(c) || v is > 0 and <= 1 ? null : "a share in (0, 1]", absent: (0, 1));

    public static readonly RunSetting<int> FineTuneIterations = IntSetting("FineTuneIterations", "finetune-iterations", "fine-tuning steps per episode",
        "the fine-tuning baseline's Adam steps per episode", 100, 1, 100_000, c => c.FineTuneIterations, (c, v) => c with { FineTuneIterations = v },
        when: c => c.Methods.Contains(Method.FineTuning));

    public static readonly RunSetting<double> FineTuneLearningRate = DoubleSetting("FineTuneLearningRate", "finetune-lr", "fine-tuning step size",
        "the fine-tuning baseline's Adam step size", 1e-4, c => c.FineTuneLearningRate, (c, v) => c with { FineTuneLearningRate = v },
        (v, c) => !c.Methods.Contains(Method.FineTuning) || Positive(v) ? null : "a positive number");

    public static readonly RunSetting<int> CheckpointEvery = IntSetting("CheckpointEvery", "checkpoint-every", "checkpoint every",
        "iterations between checkpoints", 1000, 1, int.MaxValue, c => c.CheckpointEvery, (c, v) => c with { CheckpointEvery = v });

    public static readonly RunSetting<int> ProgressEvery = IntSetting("ProgressEvery", "progress-every", "progress every",
        "iterations between stored training points", 50, 1, int.MaxValue, c => c.ProgressEvery, (c, v) => c with { ProgressEvery = v });

    public static readonly RunSetting<int> EvaluateEvery = IntSetting("EvaluateEvery", "eval-every", "evaluate every",
        "OSLSM's iterations between scorings of a fixed seeded subset of the fold's test episodes during training (Figure 3's curve; 0: none)",
        0, 0, MaxIterations, c => c.EvaluateEvery, (c, v) => c with { EvaluateEvery = v });

    public static readonly RunSetting<int> EvaluationEpisodes = IntSetting("EvaluationEpisodes", "eval-episodes", "episodes per evaluation",
        "1-shot test episodes each evaluation during training scores (the same ones every time)", 100, 1, 100_000,
        c => c.EvaluationEpisodes, (c, v) => c with { EvaluationEpisodes = v }, when: c => c.EvaluateEvery > 0, absent: (0, 100));

    public static readonly RunSetting<int> Episodes = IntSetting("Episodes", "episodes", "episodes per fold and shot count",
        "test episodes per fold and shot count", 1000, 1, 100_000, c => c.Episodes, (c, v) => c with { Episodes = v });

    public static readonly RunSetting<int> BatchSize = IntSetting("BatchSize", "batch-size", "episodes per batch",
        "test episodes scored and stored together", 50, 1, 1000, c => c.BatchSize, (c, v) => c with { BatchSize = v });

    public static readonly RunSetting<ulong> Seed = new("Seed", "seed", "seed", "every random choice of the run derives from it", SettingKind.Text)
    {
        Get = c => c.Seed, Set = (c, v) => c with { Seed = v }, Default = 1,
        ParseText = t => ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException("a non-negative integer"),
    };

    public static readonly RunSetting<double> LearningRate = DoubleSetting("LearningRate", "lr", "learning rate",
        "OSLSM's step size (1e-10 on the paper's summed loss with SGD)", 1e-10, c => c.LearningRate, (c, v) => c with { LearningRate = v },
        (v, _) => Positive(v) ? null : "a positive number");

    public static readonly RunSetting<double> Momentum = DoubleSetting("Momentum", "momentum", "momentum", "SGD's momentum (Adam keeps its own betas)",
        0.99, c => c.Momentum, (c, v) => c with { Momentum = v }, (v, _) => v is >= 0 and < 1 ? null : "0 <= momentum < 1");

    public static readonly RunSetting<double> ConditioningLearningRateMultiplier = DoubleSetting("ConditioningLearningRateMultiplier", "conditioning-lr-mult",
        "conditioning branch's step multiplier", "the conditioning branch's learning-rate multiplier (the paper's eta: 0.1)", 0.1,
        c => c.ConditioningLearningRateMultiplier, (c, v) => c with { ConditioningLearningRateMultiplier = v },
        (v, _) => v >= 0 && double.IsFinite(v) ? null : "a non-negative number");

    public static readonly RunSetting<int> EpisodesPerStep = IntSetting("EpisodesPerStep", "episodes-per-step", "episodes per update",
        "OSLSM's training episodes whose gradients are averaged into one update (the authors' Caffe iter_size: 10; the paper's text: 1)",
        1, 1, 1000, c => c.EpisodesPerStep, (c, v) => c with { EpisodesPerStep = v }, absent: (0, 1));

    public static readonly RunSetting<double> WeightDecay = DoubleSetting("WeightDecay", "weight-decay", "weight decay",
        "OSLSM's L2 weight decay on weights, not biases (the authors' Caffe solver: 5e-4; the paper's text: none)", 0,
        c => c.WeightDecay, (c, v) => c with { WeightDecay = v }, (v, _) => v >= 0 && double.IsFinite(v) ? null : "a non-negative number");

    public static readonly RunSetting<double> BiasLearningRateMultiplier = DoubleSetting("BiasLearningRateMultiplier", "bias-lr-mult",
        "biases' step multiplier", "OSLSM's bias learning rate relative to its branch's weights (the authors' Caffe net: 2; the paper's text: 1)", 1,
        c => c.BiasLearningRateMultiplier, (c, v) => c with { BiasLearningRateMultiplier = v },
        (v, _) => v >= 0 && double.IsFinite(v) ? null : "a non-negative number", absent: (0, 1));

    public static readonly RunSetting<Optimizer> Optimizer = NameSetting("Optimizer", "optimizer", "optimizer", "OSLSM's optimizer", Contracts.Optimizer.Sgd,
        c => c.Optimizer, (c, v) => c with { Optimizer = v });

    public static readonly RunSetting<LossReduction> Loss = NameSetting("Loss", "loss", "loss", "how the pixel losses of an episode combine (the paper sums them)",
        LossReduction.Sum, c => c.Loss, (c, v) => c with { Loss = v });

    public static readonly RunSetting<double> Threshold = DoubleSetting("Threshold", "threshold", "threshold", "OSLSM's foreground probability threshold",
        0.5, c => c.Threshold, (c, v) => c with { Threshold = v }, (v, _) => v is > 0 and < 1 ? null : "between 0 and 1");

    public static readonly RunSetting<InferencePrecision> InferencePrecision = NameSetting("InferencePrecision", "precision", "scoring precision",
        "the number format of OSLSM's forward pass when scoring", Contracts.InferencePrecision.Float32,
        c => c.InferencePrecision, (c, v) => c with { InferencePrecision = v });

    public static readonly RunSetting<int> MinClassPixels = IntSetting("MinClassPixels", "min-class-pixels", "minimum class pixels",
        "pixels an image needs of a class to count as showing it (later codebases' filter; 1: any)", 1, 1, int.MaxValue,
        c => c.MinClassPixels, (c, v) => c with { MinClassPixels = v });

    public static readonly RunSetting<bool> DropSmallObjects = new("DropSmallObjects", "drop-small-objects", "drop small training objects",
        "drop training objects that cover at most 2 points of the stride-32 grid, as the authors' pair loader does", SettingKind.Choice)
    {
        Get = c => c.DropSmallObjects, Set = (c, v) => c with { DropSmallObjects = v }, ChoiceList = ["false", "true"], Default = false,
        ParseText = t => bool.TryParse(t, out var v) ? v : throw new FormatException("true or false"), FormatText = v => v ? "true" : "false",
    };

    public static readonly RunSetting<int> SeenClassEpisodes = IntSetting("SeenClassEpisodes", "seen-class-episodes", "seen-class episodes per fold",
        "test episodes per fold and shot count on VOC val images of the fold's training classes, for every method: a control (0: none)",
        0, 0, 100_000, c => c.SeenClassEpisodes, (c, v) => c with { SeenClassEpisodes = v });

    public static readonly RunSetting<int> TestSeeds = IntSetting("TestSeeds", "test-seeds", "test seeds",
        "draws of test episodes, each from its own seed, all scored by the same trained networks (later codebases report mean and std over 5)",
        1, 1, 100, c => c.TestSeeds, (c, v) => c with { TestSeeds = v }, absent: (0, 1),
        also: (v, c) => v > 1 && c.EpisodeLists is not null ? "1 with --episode-lists (the lists are one draw)" : null);

    public static readonly RunSetting<TestSampler> TestSampler = NameSetting("TestSampler", "test-sampler", "test episode sampler",
        "how test episodes pick query and class: uniform (the paper) or pairs (the authors' passes over image-class pairs)",
        Contracts.TestSampler.Uniform, c => c.TestSampler, (c, v) => c with { TestSampler = v });

    /// <summary>Every setting, as the CLI's help and the launch form list them.</summary>
    public static readonly IReadOnlyList<RunSetting> All =
    [
        RunId, Voc, Sbd, Aug, ImageNetWeights, FromScratch, EpisodeLists, FoldLists, Folds, Shots, Methods, Preset, QuerySize, SupportSize, Iterations,
        BaseIterations, SiameseIterations, SiameseSupportSampling, FineTuneIterations, FineTuneLearningRate, CheckpointEvery, ProgressEvery,
        EvaluateEvery, EvaluationEpisodes, Episodes, BatchSize, Seed, LearningRate, Momentum, ConditioningLearningRateMultiplier, EpisodesPerStep, WeightDecay, BiasLearningRateMultiplier,
        Optimizer, Loss, Threshold,
        InferencePrecision, MinClassPixels, DropSmallObjects, TestSampler, TestSeeds, SeenClassEpisodes,
    ];

    public static RunSetting? ByKey(string key) => All.FirstOrDefault(s => s.Key == key);

    /// <summary>Every setting at its default, derived ones unset: what options, a form or a config file fill in before <see cref="Resolve"/>.</summary>
    public static RunConfig Unresolved => All.Aggregate(new RunConfig(), (c, s) => s.WithDefault(c));

    /// <summary>
    /// The paper's protocol: folds 0..3, 1- and 5-shot, 1000 episodes, VGG-16 FCN-32s at 500x500 (supports 224x224),
    /// SGD at lr 1e-10 on the summed loss, momentum 0.99, eta multiplier 0.1, 60k iterations, threshold 0.5.
    /// </summary>
    public static RunConfig PaperProtocol => Resolve(Unresolved);

    /// <summary>Derived settings left unset take their values (sizes from the preset, the baselines' iterations from --iterations).</summary>
    public static RunConfig Resolve(RunConfig config) => All.Aggregate(config, (c, s) => s.Resolve(c));

    /// <summary>A config stored before some setting existed, as that run ran (applied once, where stored configs are loaded).</summary>
    public static RunConfig Upgrade(RunConfig config) => All.Aggregate(config, (c, s) => s.Upgrade(c));

    /// <summary>Every problem of a config, each as "name: reason".</summary>
    public static IReadOnlyList<string> Problems(RunConfig config, PathPolicy paths) =>
        [.. All.Select(s => s.Problem(config, paths) is { } reason ? $"{s.Name}: {reason}" : null).OfType<string>()];

    /// <summary>
    /// The authors' Caffe solver where the paper's text says less (solver_ss_os_fc.prototxt, train_ss_os_fc.prototxt):
    /// gradients of 10 episodes averaged per update, weight decay 5e-4 on weights, biases at twice their branch's rate.
    /// </summary>
    public static RunConfig WithAuthorsSolver(RunConfig config) => config with { EpisodesPerStep = 10, WeightDecay = 5e-4, BiasLearningRateMultiplier = 2 };

    /// <summary>
    /// A run trained under several seeds: one run per seed, the i-th with seed Seed + i and id "{RunId}-seed{seed}",
    /// grouped under RunId; one seed is the run itself.
    /// </summary>
    public static IReadOnlyList<RunConfig> TrainingSeeds(RunConfig config, int seeds) => seeds == 1 ? [config] :
        [.. Enumerable.Range(0, seeds).Select(i => config.Seed + (ulong)i).Select(seed => config with { RunId = $"{config.RunId}-seed{seed}", Seed = seed })];

    /// <summary>A fresh run id: prefix, UTC time, four random hex digits.</summary>
    public static string NewRunId(string prefix) => $"{prefix}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}";

    /// <summary>
    /// The demo's run: tiny preset from scratch (Adam, mean loss), 64-pixel inputs, all folds, 1, 3 and 5 shots (the curve), every
    /// method, Adam at 1e-3 on the mean loss; the baselines' networks train for a third of OSLSM's iterations (16-way
    /// pixel classification learns faster than episodes), and fine-tuning takes five larger steps (ten minutes in all);
    /// every method is also scored on a quarter as many seen-class episodes (the control).
    /// </summary>
    public static RunConfig Demo(string runId, string voc, string sbd, int iterations, int episodes) => PaperProtocol with
    {
        RunId = runId,
        Shots = [1, 3, 5],
        Methods = [.. MethodCatalog.All.Select(m => m.Method)],
        Preset = OslsmPreset.Tiny.Name,
        QuerySize = 64,
        SupportSize = 64,
        Voc = voc,
        Sbd = sbd,
        Iterations = iterations,
        BaseIterations = Math.Max(1, iterations / 3),
        SiameseIterations = Math.Max(1, iterations / 3),
        FineTuneIterations = 5,
        FineTuneLearningRate = 1e-2,
        CheckpointEvery = Math.Max(1, iterations / 6),
        ProgressEvery = Math.Max(1, iterations / 100),
        Episodes = episodes,
        SeenClassEpisodes = episodes / 4,
        BatchSize = 100,
        LearningRate = 1e-3,
        ConditioningLearningRateMultiplier = 1,
        Loss = LossReduction.Mean,
        Optimizer = Contracts.Optimizer.Adam,
    };

    private static OslsmPreset? PresetOf(RunConfig config) => OslsmPreset.All.FirstOrDefault(p => p.Name == config.Preset);

    private static bool UsesSiamese(RunConfig config) => config.Methods.Contains(Method.Siamese);

    private static bool Positive(double value) => value > 0 && double.IsFinite(value);

    private static string[] Words(string text) => text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);

    private static RunSetting<int> IntSetting(string key, string flag, string label, string help, int defaultValue, int min, int max,
        Func<RunConfig, int> get, Func<RunConfig, int, RunConfig> set, (Func<RunConfig, int>, string)? derived = null,
        Func<RunConfig, bool>? when = null, string reasonSuffix = "", (int, int)? absent = null, Func<int, RunConfig, string?>? also = null) =>
        new(key, flag, label, help, SettingKind.Text)
    {
        Get = get, Set = set, Default = defaultValue, Derived = derived, Absent = absent,
        ParseText = t => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"'{t}' is not an integer"),
        Rule = (v, c) => (when?.Invoke(c) ?? true) && v is var x && (x < min || x > max)
            ? (max == int.MaxValue ? $"at least {min}" : $"{min}..{max}") + reasonSuffix
            : also?.Invoke(v, c),
    };

    private static RunSetting<double> DoubleSetting(string key, string flag, string label, string help, double defaultValue,
        Func<RunConfig, double> get, Func<RunConfig, double, RunConfig> set, Func<double, RunConfig, string?> rule, (double, double)? absent = null) =>
        new(key, flag, label, help, SettingKind.Text)
    {
        Get = get, Set = set, Default = defaultValue, Rule = rule, Absent = absent,
        ParseText = t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"'{t}' is not a number"),
        FormatText = v => v.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant(),
    };

    private static RunSetting<int[]> IntListSetting(string key, string flag, string label, string help, int[] defaultValue,
        Func<RunConfig, int[]> get, Func<RunConfig, int[], RunConfig> set, Func<int[], string?> rule) => new(key, flag, label, help, SettingKind.Text)
    {
        Get = get, Set = set, Default = defaultValue, Rule = (v, _) => rule(v),
        ParseText = t => [.. Words(t).Select(w => int.TryParse(w, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"'{w}' is not an integer"))],
        FormatText = v => string.Join(",", v),
    };

    private static RunSetting<T> NameSetting<T>(string key, string flag, string label, string help, T defaultValue,
        Func<RunConfig, T> get, Func<RunConfig, T, RunConfig> set) where T : struct, Enum => new(key, flag, label, help, SettingKind.Choice)
    {
        Get = get, Set = set, Default = defaultValue, ChoiceList = Names.Of<T>(), ParseText = Names.Parse<T>, FormatText = v => v.Name(),
    };

    private static RunSetting<string?> PathSetting(string key, string flag, string label, string help, SettingKind kind,
        Func<RunConfig, string?> get, Func<RunConfig, string?, RunConfig> set) => new(key, flag, label, help, kind)
    {
        Get = get, Set = set, Default = null, IsOptional = true, ParseText = t => t, FormatText = v => v ?? "",
        PathRule = (v, paths) => PathProblem(v, paths, required: false, file: kind == SettingKind.File),
    };

    private static RunSetting<string> PathSetting(string key, string flag, string label, string help, SettingKind kind,
        Func<RunConfig, string> get, Func<RunConfig, string?, RunConfig> set, bool required) => new(key, flag, label, help, kind)
    {
        Get = get, Set = (c, v) => set(c, v), Default = "", DefaultNote = "required", ParseText = t => t,
        PathRule = (v, paths) => PathProblem(v, paths, required, file: kind == SettingKind.File),
    };

    private static string? PathProblem(string? path, PathPolicy paths, bool required, bool file)
    {
        if (string.IsNullOrEmpty(path)) return required ? "required" : null;
        if (path.Length > 1024) return "path longer than 1024 characters";
        if (!paths.CheckExists) return null;
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) { return $"not a path ({e.Message})"; }
        if (paths.DataRoots.Count > 0 && !paths.DataRoots.Any(root => RunConfigValidator.IsUnder(full, root)))
            return $"'{path}' is outside the configured data roots";
        return (file ? File.Exists(full) : Directory.Exists(full)) ? null : $"'{path}' does not exist";
    }
}
