using SegCluster.Contracts;
using SegCluster.Storage;
using SegCluster.Tests;

namespace SegCluster.Experiment.Tests;

/// <summary>A run's report from stored batch sums (a seeded run: OSLSM, 4 folds, 1- and 5-shot, 10 batches each).</summary>
public sealed class RunReportTests
{
    [Fact]
    public async Task Precision_recall_and_the_paired_shot_gain_come_from_the_stored_counts()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await SyntheticRuns.SeedAsync(database.ConnectionString, runs: 1, episodesPerFold: 100, batchSize: 10, default);
        var store = new ResultsStore(database.ConnectionString);
        var report = await RunReport.LoadAsync(store, "bench-0001");

        var totals = await store.ReadClassTotalsAsync("bench-0001");
        foreach (var score in report.Scores)
            foreach (var row in totals.Where(t => t.Fold == score.Fold && t.Shots == score.Shots))
            {
                Assert.Equal((double)row.TruePositive / (row.TruePositive + row.FalsePositive), score.ClassPrecision[row.ClassId], 12);
                Assert.Equal((double)row.TruePositive / (row.TruePositive + row.FalseNegative), score.ClassRecall[row.ClassId], 12);
            }
        Assert.All(report.Scores, s => Assert.Equal(s.ClassPrecision.Values.Average(), s.Precision, 12));

        // One gain per fold and one over the folds, each k-shot minus 1-shot with its paired interval around it.
        Assert.Equal([0, 1, 2, 3, -1], report.ShotGains.Select(g => g.Fold ?? -1));
        Assert.All(report.ShotGains, g => Assert.Equal((Method.Oslsm, 5), (g.Method, g.Shots)));
        foreach (var gain in report.ShotGains.Where(g => g.Fold is not null))
        {
            var one = report.Scores.Single(s => s.Fold == gain.Fold && s.Shots == 1).MeanIou;
            var five = report.Scores.Single(s => s.Fold == gain.Fold && s.Shots == 5).MeanIou;
            Assert.Equal(five - one, gain.Gain, 12);
            Assert.InRange(gain.Gain, gain.Low, gain.High);
        }
        var mean = report.ShotGains.Single(g => g.Fold is null);
        Assert.Equal(report.MeanOf(Method.Oslsm, 5)!.MeanIou - report.MeanOf(Method.Oslsm, 1)!.MeanIou, mean.Gain, 12);

        Assert.Empty(report.SeenScores);

        // Seen-class batches (fold 0's training classes 6 and 7) leave the paper's tables as they were and score apart.
        foreach (var batch in new[] { 0, 1 })
            await store.SaveBatchAsync(new BatchRow(new BatchKey("bench-0001", 0, "oslsm", 1, batch, "seen"),
                [new(6, 5, 30 + batch, 10, 10, 950), new(7, 5, 20, 10, 20, 950)], [0.1, 0.1], "silo"));
        var withSeen = await RunReport.LoadAsync(store, "bench-0001");
        Assert.Equal(report.Scores.Select(s => s.MeanIou), withSeen.Scores.Select(s => s.MeanIou));
        var seen = Assert.Single(withSeen.SeenScores);
        Assert.Equal((0, Method.Oslsm, 1, 20), (seen.Fold, seen.Method, seen.Shots, seen.Episodes));
        Assert.Equal((61.0 / 101 + 40.0 / 100) / 2, seen.MeanIou, 12);   // classes 6 and 7, each over both batches
        Assert.Equal(2, ReportTable.SeenClasses(withSeen, "seeded").Rows.Count);   // fold 0 and the mean

        Assert.Equal(["precision", "recall"], ReportTable.Table1Long(report, "seeded").Columns.Skip(9).Take(2));
        // The paper's layout: a block per shot count with a row for OSLSM and one for the paper's figures, folds as columns.
        var table1 = ReportTable.Table1(report, "seeded");
        Assert.Equal(["method", "PASCAL-5^0", "PASCAL-5^1", "PASCAL-5^2", "PASCAL-5^3", "mean"], table1.Columns);
        Assert.Equal(["1-shot", "oslsm", "  paper", "5-shot", "oslsm", "  paper"], table1.Rows.Select(r => r[0]));
        var fold2 = report.Scores.Single(s => s.Fold == 2 && s.Shots == 5);
        Assert.Equal($"{100 * fold2.MeanIou:0.0} ({100 * fold2.Low:0.0}-{100 * fold2.High:0.0})", table1.Rows[4][3]);
        Assert.Equal(["35.9", "58.1", "42.7", "39.1", "43.9"], table1.Rows[5].Skip(1));
        var figures = ReportTable.Table1Figures(report, "seeded");
        Assert.Equal($"{100 * fold2.FbIou:0.0}, {100 * fold2.Precision:0.0} / {100 * fold2.Recall:0.0}", figures.Rows[3][3]);
        var table2 = ReportTable.Table2(report, "here");
        Assert.Equal("oslsm", Assert.Single(table2.Rows)[0]);
        Assert.Equal(["0.2000", "1.00", "0.19", "1.00", "0.2000", "1.00", "0.21", "1.00"], table2.Rows[0].Skip(1));
        Assert.Equal(4 * 2 * 5, ReportTable.Classes(report, "seeded").Rows.Count);
        Assert.Equal(5, ReportTable.ShotGains(report, "seeded").Rows.Count);
        Assert.Contains(MethodCatalog.ThresholdPolicy, ReportTable.Table1(report, "seeded").Note);

        // One draw of test episodes: no spread; the shots table has a column per shot count and the gain per added shot.
        Assert.All(report.Means, m => Assert.Equal(new SeedSpread(1, m.MeanIou, 0), m.Spread));
        var kShot = ReportTable.KShot(report, "seeded");
        Assert.Equal(["method", "1-shot", "5-shot", "per added shot"], kShot.Columns);
        var (oneShot, fiveShot) = (report.MeanOf(Method.Oslsm, 1)!, report.MeanOf(Method.Oslsm, 5)!);
        Assert.Equal(["oslsm", $"{100 * oneShot.MeanIou:0.0} ({100 * oneShot.Low:0.0}-{100 * oneShot.High:0.0})",
            $"{100 * fiveShot.MeanIou:0.0} ({100 * fiveShot.Low:0.0}-{100 * fiveShot.High:0.0})",
            (100 * (fiveShot.MeanIou - oneShot.MeanIou) / 4).ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture)], Assert.Single(kShot.Rows));
    }
}
