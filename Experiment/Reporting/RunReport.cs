using SegCluster.Contracts;
using SegCluster.Storage;

namespace SegCluster.Experiment;

/// <summary>
/// The scores of one method on one fold with k shots; Low..High is meanIoU's 95% bootstrap interval; precision and
/// recall are per class over all its episodes (pooled pixels, as IoU), and their means over the fold's test classes.
/// With several draws of test episodes (test seeds, and runs trained under several seeds) everything is pooled over
/// them, and Spread is meanIoU's mean and standard deviation over the draws.
/// </summary>
public sealed record FoldScore(int Fold, Method Method, int Shots, int Episodes, IReadOnlyDictionary<int, double> ClassIou, double MeanIou,
    double FbIou, double Low, double High, IReadOnlyDictionary<int, double> ClassPrecision, IReadOnlyDictionary<int, double> ClassRecall,
    double Precision, double Recall, SeedSpread Spread);

/// <summary>One method's meanIoU averaged over the run's folds, with its 95% bootstrap interval, its mean precision and recall, and its spread over draws.</summary>
public sealed record MethodMean(Method Method, int Shots, int Folds, double MeanIou, double Low, double High, double Precision, double Recall,
    SeedSpread Spread);

/// <summary>meanIoU over each draw of test episodes scored on its own: how many draws, their mean and sample standard deviation (0 for one draw).</summary>
public sealed record SeedSpread(int Draws, double Mean, double Std)
{
    public static SeedSpread Of(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return new SeedSpread(values.Count, mean, values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)));
    }
}

/// <summary>
/// What k shots add to one: meanIoU with k supports minus meanIoU with one, on one fold or (Fold null) averaged over
/// the folds, with the paired bootstrap interval (batch b of both shot counts holds the same queries).
/// </summary>
public sealed record ShotGain(Method Method, int Shots, int? Fold, double OneShot, double KShot, double Gain, double Low, double High);

/// <summary>Seconds per episode of one method with k shots (warm-up excluded).</summary>
public sealed record MethodTiming(Method Method, int Shots, int Episodes, double MeanSeconds, double MedianSeconds);

/// <summary>
/// A run's Table 1 and Table 2, computed from the stored batch sums: per-class IoU = tp/(tp+fp+fn) over all
/// episodes of the class, meanIoU over the fold's five test classes, FB-IoU, and bootstrap intervals over batches;
/// the same for the seen-class control (meanIoU over the fold's training classes that had episodes); and the
/// devices its folds trained and its batches scored on, as their tensors reported them. A group's report (runs
/// trained under several seeds) pools its runs: each run's test seed is one draw.
/// </summary>
public sealed record RunReport(string RunId, IReadOnlyList<FoldRow> Folds, IReadOnlyList<FoldScore> Scores, IReadOnlyList<MethodMean> Means,
    IReadOnlyList<MethodTiming> Timings, IReadOnlyList<ScoringDeviceRow> ScoringDevices, IReadOnlyList<ShotGain> ShotGains,
    IReadOnlyList<FoldScore> SeenScores, IReadOnlyList<MethodMean> SeenMeans)
{
    /// <summary>The meanIoU curves of evaluation during training (Figure 3), each fold's; a group's runs each add theirs.</summary>
    public IReadOnlyList<TrainingEvaluationRow> TrainingCurves { get; init; } = [];

    /// <summary>Intervals are reproducible: the bootstrap draws from this fixed seed.</summary>
    public const ulong BootstrapSeed = 1;

    public static async Task<RunReport> LoadAsync(ResultsStore store, string runId, CancellationToken cancellationToken = default)
    {
        var folds = await store.ReadFoldsAsync(runId, cancellationToken);
        var batches = await store.ReadBatchClassCountsAsync(runId, cancellationToken);
        var timings = await store.ReadTimingsAsync(runId, cancellationToken);
        var scoringDevices = await store.ReadScoringDevicesAsync(runId, cancellationToken);
        return From(runId, folds, batches, timings, scoringDevices) with { TrainingCurves = await store.ReadTrainingEvaluationsAsync(runId, cancellationToken) };
    }

    /// <summary>The report of a group's runs pooled: each run's test seeds become draws numbered after the run before's; timings are the runs' means.</summary>
    public static async Task<RunReport> LoadGroupAsync(ResultsStore store, string group, IReadOnlyList<string> runIds, CancellationToken cancellationToken = default)
    {
        var folds = new List<FoldRow>();
        var batches = new List<BatchClassRow>();
        var timings = new List<TimingRow>();
        var devices = new List<ScoringDeviceRow>();
        var curves = new List<TrainingEvaluationRow>();
        var drawOffset = 0;
        foreach (var runId in runIds)
        {
            folds.AddRange(await store.ReadFoldsAsync(runId, cancellationToken));
            var rows = await store.ReadBatchClassCountsAsync(runId, cancellationToken);
            batches.AddRange(rows.Select(b => b with { TestSeed = drawOffset + b.TestSeed }));
            drawOffset += rows.Select(b => b.TestSeed).DefaultIfEmpty(0).Max() + 1;
            timings.AddRange(await store.ReadTimingsAsync(runId, cancellationToken));
            devices.AddRange(await store.ReadScoringDevicesAsync(runId, cancellationToken));
            curves.AddRange(await store.ReadTrainingEvaluationsAsync(runId, cancellationToken));
        }
        return From(group, folds, batches,
            [.. timings.GroupBy(t => (t.Method, t.Shots)).Select(g => new TimingRow(g.Key.Method, g.Key.Shots, g.Sum(t => t.Episodes),
                g.Average(t => t.MeanSeconds), g.Average(t => t.MedianSeconds)))],
            [.. devices.GroupBy(d => d.Device).Select(g => new ScoringDeviceRow(g.Key, g.Sum(d => d.Batches)))]) with { TrainingCurves = curves };
    }

    /// <summary>
    /// A run's report, or (<paramref name="group"/>) a group's with its runs pooled, with the stored row that labels it
    /// (the group's first run); null when there is no such run or group.
    /// </summary>
    public static async Task<(RunReport Report, RunRecord Run)?> LoadRunOrGroupAsync(ResultsStore store, string id, bool group,
        CancellationToken cancellationToken = default)
    {
        var runs = group ? await store.ReadGroupRunIdsAsync(id, cancellationToken) : [id];
        if (runs.Count == 0 || await store.ReadRunAsync(runs[0], cancellationToken) is not { } first) return null;
        return (group ? await LoadGroupAsync(store, id, runs, cancellationToken) : await LoadAsync(store, id, cancellationToken), first);
    }

    private static RunReport From(string id, IReadOnlyList<FoldRow> folds, IReadOnlyList<BatchClassRow> batches, IReadOnlyList<TimingRow> timings,
        IReadOnlyList<ScoringDeviceRow> scoringDevices)
    {
        var (scores, means, perFold) = Score(batches.Where(b => b.ClassSet == BatchKey.Unseen).ToList(), PascalFiveI.TestClassesOf);
        var seen = batches.Where(b => b.ClassSet != BatchKey.Unseen).ToList();
        var (seenScores, seenMeans, _) = Score(seen, fold => [.. seen.Where(b => b.Fold == fold).Select(b => b.Counts.ClassId).Distinct().Order()]);
        return new RunReport(id, folds, scores, means,
            [.. timings.Select(t => new MethodTiming(Names.Parse<Method>(t.Method), t.Shots, t.Episodes, t.MeanSeconds, t.MedianSeconds))], scoringDevices,
            Gains(scores, perFold), seenScores, seenMeans);
    }

    /// <summary>The number of draws of test episodes behind the report (1 unless it has several test seeds or training seeds).</summary>
    public int Draws => Means.Select(m => m.Spread.Draws).DefaultIfEmpty(1).Max();

    public MethodMean? MeanOf(Method method, int shots) => Means.FirstOrDefault(m => m.Method == method && m.Shots == shots);

    /// <summary>Scores per (fold, method, shots) over each fold's classes, their means over folds, and the batches behind them.</summary>
    private static (List<FoldScore>, List<MethodMean>, Dictionary<(int Fold, Method Method, int Shots), FoldBatches>) Score(
        IReadOnlyList<BatchClassRow> batches, Func<int, IReadOnlyList<int>> classesOf)
    {
        var groups = batches.GroupBy(b => (b.Fold, Method: Names.Parse<Method>(b.Method), b.Shots)).ToDictionary(g => g.Key, g => g.ToList());
        var perFold = groups.ToDictionary(g => g.Key, g => ToFoldBatches(classesOf(g.Key.Fold), g.Value));
        var perDraw = groups.ToDictionary(g => g.Key, g => DrawMeanIous(g.Value, classesOf(g.Key.Fold)));
        var scores = groups.Select(g =>
        {
            var classes = classesOf(g.Key.Fold);
            var counts = CountsByClass(g.Value);
            var total = counts.Values.Aggregate(default(BinaryCounts), (a, b) => a + b);
            var (low, high) = BootstrapInterval.MeanIou([perFold[g.Key]], BootstrapSeed);
            return new FoldScore(g.Key.Fold, g.Key.Method, g.Key.Shots, g.Value.Sum(b => b.Counts.Episodes),
                counts.ToDictionary(c => c.Key, c => c.Value.ForegroundIou),
                FoldMeanIou.Of(classes, counts),
                (total.ForegroundIou + total.BackgroundIou) / 2, low, high,
                counts.ToDictionary(c => c.Key, c => c.Value.Precision), counts.ToDictionary(c => c.Key, c => c.Value.Recall),
                FoldMeanIou.MeanOver(classes, counts, c => c.Precision),
                FoldMeanIou.MeanOver(classes, counts, c => c.Recall),
                SeedSpread.Of([.. perDraw[g.Key].Values]));
        }).OrderBy(s => s.Method).ThenBy(s => s.Shots).ThenBy(s => s.Fold).ToList();
        var means = scores.GroupBy(s => (s.Method, s.Shots)).Select(g =>
        {
            var (low, high) = BootstrapInterval.MeanIou([.. g.Select(s => perFold[(s.Fold, s.Method, s.Shots)])], BootstrapSeed);
            // A draw's mean over folds: each fold's meanIoU in that draw (every fold has every draw).
            var folds = g.Select(s => perDraw[(s.Fold, s.Method, s.Shots)]).ToList();
            var draws = folds.SelectMany(d => d.Keys).Distinct().Where(d => folds.All(f => f.ContainsKey(d))).Order().ToList();
            return new MethodMean(g.Key.Method, g.Key.Shots, g.Count(), g.Average(s => s.MeanIou), low, high, g.Average(s => s.Precision), g.Average(s => s.Recall),
                SeedSpread.Of(draws.Count == 0 ? [g.Average(s => s.MeanIou)] : [.. draws.Select(d => folds.Average(f => f[d]))]));
        }).ToList();
        return (scores, means, perFold);
    }

    private static Dictionary<int, BinaryCounts> CountsByClass(IEnumerable<BatchClassRow> rows) =>
        rows.GroupBy(b => b.Counts.ClassId).ToDictionary(c => c.Key, c => c.Select(b => Counts(b.Counts)).Aggregate((a, b) => a + b));

    /// <summary>meanIoU of each draw of test episodes on its own.</summary>
    private static Dictionary<int, double> DrawMeanIous(IEnumerable<BatchClassRow> rows, IReadOnlyList<int> classes) =>
        rows.GroupBy(b => b.TestSeed).ToDictionary(d => d.Key, d => FoldMeanIou.Of(classes, CountsByClass(d)));

    /// <summary>For every method scored with 1 and k > 1 shots on the same folds and batches: the gain per fold and over the folds.</summary>
    private static List<ShotGain> Gains(IReadOnlyList<FoldScore> scores, Dictionary<(int Fold, Method Method, int Shots), FoldBatches> perFold)
    {
        var gains = new List<ShotGain>();
        foreach (var more in scores.Where(s => s.Shots > 1).GroupBy(s => (s.Method, s.Shots)))
        {
            var paired = more.Select(s => (More: s, One: scores.FirstOrDefault(o => o.Method == s.Method && o.Shots == 1 && o.Fold == s.Fold)))
                .Where(p => p.One is not null && perFold[(p.One.Fold, p.One.Method, 1)].Batches.Count == perFold[(p.More.Fold, p.More.Method, p.More.Shots)].Batches.Count)
                .ToList();
            if (paired.Count == 0) continue;
            var batches = paired.Select(p => (perFold[(p.One!.Fold, p.One.Method, 1)], perFold[(p.More.Fold, p.More.Method, p.More.Shots)])).ToList();
            foreach (var ((k, one), folds) in paired.Zip(batches))
            {
                var (low, high) = BootstrapInterval.MeanIouGain([folds], BootstrapSeed);
                gains.Add(new ShotGain(k.Method, k.Shots, k.Fold, one!.MeanIou, k.MeanIou, k.MeanIou - one.MeanIou, low, high));
            }
            var (meanLow, meanHigh) = BootstrapInterval.MeanIouGain(batches, BootstrapSeed);
            var (oneMean, kMean) = (paired.Average(p => p.One!.MeanIou), paired.Average(p => p.More.MeanIou));
            gains.Add(new ShotGain(more.Key.Method, more.Key.Shots, null, oneMean, kMean, kMean - oneMean, meanLow, meanHigh));
        }
        return gains;
    }


    private static BinaryCounts Counts(ClassCountsRow c) => new(c.TruePositive, c.FalsePositive, c.FalseNegative, c.TrueNegative);

    private static FoldBatches ToFoldBatches(IReadOnlyList<int> foldClasses, IReadOnlyList<BatchClassRow> rows)
    {
        var classes = foldClasses.ToList();
        return new FoldBatches([.. rows.GroupBy(r => (r.TestSeed, r.Batch)).OrderBy(b => b.Key).Select(b =>
        {
            var counts = new BinaryCounts[classes.Count];
            foreach (var r in b)
                if (classes.IndexOf(r.Counts.ClassId) is var i and >= 0) counts[i] = Counts(r.Counts);
            return counts;
        })]);
    }
}

/// <summary>
/// One fold's meanIoU curve of evaluation during training (OSLSM; a group's runs averaged at each iteration) and the
/// fold's 1-shot LogReg meanIoU where the run scored it (Figure 3's constant reference).
/// </summary>
public sealed record TrainingCurve(int Fold, int Episodes, IReadOnlyList<(int Iteration, double MeanIou)> Points, double? LogReg)
{
    public static IReadOnlyList<TrainingCurve> Of(RunReport report) =>
    [
        .. report.TrainingCurves.Where(r => r.Network == "oslsm").GroupBy(r => r.Fold).OrderBy(g => g.Key).Select(g => new TrainingCurve(g.Key,
            g.Max(r => r.Episodes),
            [.. g.GroupBy(r => r.Iteration).OrderBy(i => i.Key).Select(i => (i.Key, i.Average(r => r.MeanIou)))],
            report.Scores.FirstOrDefault(s => s.Fold == g.Key && s.Method == Method.LogisticRegression && s.Shots == 1)?.MeanIou)),
    ];
}
