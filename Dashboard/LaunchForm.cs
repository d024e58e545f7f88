using System.Globalization;
using SegCluster.Contracts;
using SegCluster.Experiment;

namespace SegCluster.Dashboard;

/// <summary>
/// The launch page's fields: what `segcluster launch` accepts, with the same defaults (the paper's protocol). Lists
/// are typed as the CLI takes them ("0,1,2,3"); the run config validator checks every value and path.
/// </summary>
public sealed class LaunchForm
{
    private static readonly RunConfig Paper = RunConfig.PaperProtocol;
    public string RunId { get; set; } = "";
    public string Voc { get; set; } = "";
    public string Sbd { get; set; } = "";
    public string Aug { get; set; } = "";
    public string Weights { get; set; } = "";
    public string EpisodeLists { get; set; } = "";
    public string FoldLists { get; set; } = "";
    public string Folds { get; set; } = "0,1,2,3";
    public string Shots { get; set; } = "1,5";
    public HashSet<string> Methods { get; set; } = ["oslsm"];
    public string Preset { get; set; } = Paper.Preset;
    public int? QuerySize { get; set; }
    public int? SupportSize { get; set; }
    public int Iterations { get; set; } = Paper.Iterations;
    public int? BaseIterations { get; set; }
    public int? SiameseIterations { get; set; }
    public double SiameseSupportSampling { get; set; } = Paper.SiameseSupportSampling;
    public int FineTuneIterations { get; set; } = Paper.FineTuneIterations;
    public double FineTuneLearningRate { get; set; } = Paper.FineTuneLearningRate;
    public int CheckpointEvery { get; set; } = Paper.CheckpointEvery;
    public int Episodes { get; set; } = Paper.Episodes;
    public int BatchSize { get; set; } = Paper.BatchSize;
    public long Seed { get; set; } = (long)Paper.Seed;
    public double LearningRate { get; set; } = Paper.LearningRate;
    public string Optimizer { get; set; } = Paper.Optimizer;
    public string Loss { get; set; } = "sum";
    public double Threshold { get; set; } = Paper.Threshold;
    public string InferencePrecision { get; set; } = Paper.InferencePrecision!;

    /// <summary>The run config; malformed lists and unknown presets name their field. Paths are checked by the validator.</summary>
    public RunConfig ToConfig()
    {
        var preset = OslsmPreset.All.FirstOrDefault(p => p.Name == Preset)
            ?? throw new ArgumentException($"preset: known presets are {string.Join(", ", OslsmPreset.All.Select(p => p.Name))}");
        if (Loss is not ("sum" or "mean")) throw new ArgumentException("loss: sum or mean");
        if (Seed < 0) throw new ArgumentException("seed: a non-negative integer");
        return Paper with
        {
            RunId = string.IsNullOrWhiteSpace(RunId) ? $"web-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..4]}" : RunId.Trim(),
            Folds = IntList(Folds, "folds"),
            Shots = IntList(Shots, "shots"),
            Methods = [.. Methods.Order()],
            Preset = preset.Name,
            QuerySize = QuerySize ?? preset.QuerySize,
            SupportSize = SupportSize ?? preset.SupportSize,
            Voc = Voc.Trim(),
            Sbd = Optional(Sbd),
            Aug = Optional(Aug),
            ImageNetWeights = Optional(Weights),
            EpisodeLists = Optional(EpisodeLists),
            FoldLists = Optional(FoldLists),
            Iterations = Iterations,
            BaseIterations = BaseIterations ?? Iterations,
            SiameseIterations = SiameseIterations ?? Iterations,
            SiameseSupportSampling = SiameseSupportSampling,
            FineTuneIterations = FineTuneIterations,
            FineTuneLearningRate = FineTuneLearningRate,
            CheckpointEvery = CheckpointEvery,
            Episodes = Episodes,
            BatchSize = BatchSize,
            Seed = (ulong)Seed,
            LearningRate = LearningRate,
            Optimizer = Optimizer,
            InferencePrecision = InferencePrecision,
            MeanLoss = Loss == "mean",
            Threshold = Threshold,
        };
    }

    private static string? Optional(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int[] IntList(string text, string field)
    {
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                throw new ArgumentException($"{field}: '{parts[i]}' is not an integer");
        return values;
    }
}
