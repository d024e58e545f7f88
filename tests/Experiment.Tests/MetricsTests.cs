using SegCluster.Experiment;

namespace SegCluster.Experiment.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Counts_ignore_void_pixels()
    {
        byte[] truth = [1, 1, 0, 0, 255, 1];
        byte[] predicted = [1, 0, 1, 0, 1, 1];
        Assert.Equal(new BinaryCounts(2, 1, 1, 1), BinaryCounts.Count(predicted, truth));
    }

    [Fact]
    public void Class_iou_sums_counts_over_episodes_before_dividing()
    {
        var accumulator = new IouAccumulator();
        accumulator.Add(new EpisodeScore(1, new BinaryCounts(10, 0, 0, 90)));   // IoU 1 alone
        accumulator.Add(new EpisodeScore(1, new BinaryCounts(0, 5, 5, 90)));    // IoU 0 alone
        accumulator.Add(new EpisodeScore(2, new BinaryCounts(3, 1, 0, 96)));
        Assert.Equal(10.0 / 20, accumulator.ClassIou(1));   // tp 10 / (tp 10 + fp 5 + fn 5)
        Assert.Equal(0.75, accumulator.ClassIou(2));
        Assert.Equal((0.5 + 0.75 + 0 + 0 + 0) / 5, accumulator.MeanIou([1, 2, 3, 4, 5]), 12);
        // FB-IoU: foreground 13/(13+6+5)=13/24, background 276/(276+5+6)=276/287.
        Assert.Equal((13.0 / 24 + 276.0 / 287) / 2, accumulator.FbIou(), 12);
    }

    [Fact]
    public void Partial_sums_merge_exactly()
    {
        var random = new SeededRandom(9);
        var scores = Enumerable.Range(0, 200).Select(_ => new EpisodeScore(1 + random.Next(5),
            new BinaryCounts(random.Next(100), random.Next(100), random.Next(100), random.Next(1000)))).ToList();
        var whole = new IouAccumulator();
        scores.ForEach(whole.Add);
        var merged = new IouAccumulator();
        foreach (var batch in scores.Chunk(37))
        {
            var part = new IouAccumulator();
            foreach (var s in batch) part.Add(s);
            merged.Merge(part);
        }
        Assert.Equal(whole.PerClass, merged.PerClass);
        Assert.Equal(whole.MeanIou([1, 2, 3, 4, 5]), merged.MeanIou([1, 2, 3, 4, 5]));
    }

    [Fact]
    public void Bootstrap_interval_is_seeded_and_brackets_the_estimate()
    {
        var random = new SeededRandom(4);
        var accumulator = new IouAccumulator();
        for (var i = 0; i < 300; i++)
            accumulator.Add(new EpisodeScore(1 + random.Next(5), new BinaryCounts(50 + random.Next(50), random.Next(40), random.Next(40), 500)));
        int[] classes = [1, 2, 3, 4, 5];
        var a = accumulator.BootstrapInterval(classes, new SeededRandom(1), 400);
        var b = accumulator.BootstrapInterval(classes, new SeededRandom(1), 400);
        Assert.Equal(a, b);
        Assert.InRange(accumulator.MeanIou(classes), a.Low, a.High);
        Assert.True(a.High - a.Low is > 0 and < 0.2);
    }

    [Fact]
    public void Bootstrap_interval_is_a_point_when_every_batch_is_alike_and_widens_with_spread()
    {
        BinaryCounts[] same = [new(5, 5, 0, 90), new(1, 0, 1, 98)];   // IoU 0.5 and 0.5: meanIoU 0.5
        var alike = BootstrapInterval.MeanIou([new FoldBatches([same, same, same])], seed: 3);
        Assert.Equal(0.5, alike.Low, 12);
        Assert.Equal(0.5, alike.High, 12);

        // Batches whose meanIoU differ: the interval lies strictly inside their range and around the pooled value.
        var random = new SeededRandom(4);
        var batches = Enumerable.Range(0, 20).Select(_ => new BinaryCounts[]
            { new(random.Next(50), random.Next(50), random.Next(50), 500), new(random.Next(50), random.Next(50), random.Next(50), 500) }).ToList();
        var (low, high) = BootstrapInterval.MeanIou([new FoldBatches(batches)], seed: 3);
        var pooled = new[] { 0, 1 }.Average(c => batches.Aggregate(default(BinaryCounts), (a, b) => a + b[c]).ForegroundIou);
        Assert.True(low < pooled && pooled < high, $"{low} < {pooled} < {high}");
        var perBatch = batches.Select(b => b.Average(c => c.ForegroundIou)).ToList();
        Assert.True(low > perBatch.Min() && high < perBatch.Max());
        Assert.Equal((low, high), BootstrapInterval.MeanIou([new FoldBatches(batches)], seed: 3));   // seeded: reproducible

        // Averaging independent folds narrows the interval of their mean.
        var (low2, high2) = BootstrapInterval.MeanIou([new FoldBatches(batches), new FoldBatches(batches)], seed: 3);
        Assert.True(high2 - low2 < high - low);
    }

    [Fact]
    public void Precision_and_recall_read_the_foreground_counts()
    {
        var counts = new BinaryCounts(TruePositive: 30, FalsePositive: 10, FalseNegative: 20, TrueNegative: 940);
        Assert.Equal(0.75, counts.Precision, 12);
        Assert.Equal(0.6, counts.Recall, 12);
        Assert.Equal((0.0, 0.0), (default(BinaryCounts).Precision, default(BinaryCounts).Recall));   // nothing predicted, nothing to find
        var perClass = new Dictionary<int, BinaryCounts> { [1] = counts, [2] = new(10, 0, 30, 960) };
        Assert.Equal((0.75 + 1.0 + 0 + 0 + 0) / 5, FoldMeanIou.MeanOver([1, 2, 3, 4, 5], perClass, c => c.Precision), 12);
    }

    [Fact]
    public void The_gain_interval_pairs_the_batches_of_both_shot_counts()
    {
        var random = new SeededRandom(6);
        var one = Enumerable.Range(0, 20).Select(_ => new BinaryCounts[] { new(random.Next(50), random.Next(50), random.Next(50), 500) }).ToList();
        // k-shot finds exactly 5 more pixels in every batch: with pairing, the spread between batches cancels.
        var more = one.Select(b => new BinaryCounts[] { b[0] with { TruePositive = b[0].TruePositive + 5, FalseNegative = b[0].FalseNegative + 0 } }).ToList();
        var (low, high) = BootstrapInterval.MeanIouGain([(new FoldBatches(one), new FoldBatches(more))], seed: 3);
        Assert.True(low > 0, $"paired: {low}..{high} above zero");
        var (oneLow, oneHigh) = BootstrapInterval.MeanIou([new FoldBatches(one)], seed: 3);
        Assert.True(high - low < (oneHigh - oneLow) / 2, "pairing removes the batches' own spread");
        var (same, sameHigh) = BootstrapInterval.MeanIouGain([(new FoldBatches(one), new FoldBatches(one))], seed: 3);
        Assert.Equal((0.0, 0.0), (same, sameHigh));
        Assert.Throws<ArgumentException>(() => BootstrapInterval.MeanIouGain([(new FoldBatches(one), new FoldBatches(more.Take(5).ToList()))], seed: 3));
    }
}
