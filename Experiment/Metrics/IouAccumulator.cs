namespace SegCluster.Experiment;

/// <summary>
/// The paper's metric (section 5): per class l, tp/fp/fn summed over all episodes of that class,
/// IoU_l = tp/(tp+fp+fn), meanIoU = mean over the fold's classes. Also FB-IoU (mean of foreground and
/// background IoU over all episodes) and a seeded bootstrap interval. Partial accumulators merge exactly.
/// </summary>
public sealed class IouAccumulator
{
    private readonly List<EpisodeScore> episodes = [];
    private readonly SortedDictionary<int, BinaryCounts> perClass = [];

    public IReadOnlyList<EpisodeScore> Episodes => episodes;
    public IReadOnlyDictionary<int, BinaryCounts> PerClass => perClass;

    public void Add(EpisodeScore score)
    {
        episodes.Add(score);
        perClass[score.ClassId] = perClass.GetValueOrDefault(score.ClassId) + score.Counts;
    }

    public void Merge(IouAccumulator other)
    {
        foreach (var score in other.episodes) Add(score);
    }

    public double ClassIou(int classId) => perClass.GetValueOrDefault(classId).ForegroundIou;

    /// <summary>Mean IoU over the given classes (the fold's five); a class without episodes counts as 0.</summary>
    public double MeanIou(IReadOnlyList<int> classes) => FoldMeanIou.Of(classes, perClass);

    public double FbIou()
    {
        var total = perClass.Values.Aggregate(default(BinaryCounts), (a, b) => a + b);
        return (total.ForegroundIou + total.BackgroundIou) / 2;
    }

    /// <summary>Percentile bootstrap over episodes: the 95% interval of meanIoU.</summary>
    public (double Low, double High) BootstrapInterval(IReadOnlyList<int> classes, SeededRandom random, int resamples = 1000)
    {
        if (episodes.Count == 0) return (0, 0);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sums = new SortedDictionary<int, BinaryCounts>();
            for (var i = 0; i < episodes.Count; i++)
            {
                var e = episodes[random.Next(episodes.Count)];
                sums[e.ClassId] = sums.GetValueOrDefault(e.ClassId) + e.Counts;
            }
            means[r] = FoldMeanIou.Of(classes, sums);
        }
        Array.Sort(means);
        return (means[(int)Math.Floor(0.025 * (resamples - 1))], means[(int)Math.Ceiling(0.975 * (resamples - 1))]);
    }
}
