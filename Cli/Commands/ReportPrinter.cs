using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using Spectre.Console;
using SegCluster.Experiment;

namespace SegCluster.Cli.Commands;

/// <summary>Prints a run's tables next to the paper's figures, and writes them as JSON.</summary>
public static class ReportPrinter
{
    /// <summary>`--long`: Table 1 in long form (per fold, with per-class IoU) in place of the paper's layout.</summary>
    public static Option<bool> LongOption() => new("--long") { Description = "print Table 1 in long form (per fold, with per-class IoU) instead of the paper's layout" };

    public static void Print(RunReport report, string dataLabel, bool longForm = false)
    {
        var tables = (longForm ? new[] { ReportTable.Table1Long(report, dataLabel) } : [ReportTable.Table1(report, dataLabel), ReportTable.Table1Figures(report, dataLabel)])
            .Concat([ReportTable.KShot(report, dataLabel), ReportTable.ShotGains(report, dataLabel), ReportTable.SeenClasses(report, dataLabel), ReportTable.Table2(report, "this machine")]);
        foreach (var data in tables.Where(t => t.Rows.Count > 0)) Write(AnsiConsole.Console, data);
    }

    /// <summary>One table as the terminal shows it: a light border, the note below.</summary>
    public static void Write(IAnsiConsole console, ReportTable data)
    {
        var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(data.Title)).AddColumns(data.Columns.Select(Markup.Escape).ToArray());
        foreach (var row in data.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        console.Write(table);
        console.MarkupLine($"[grey]{Markup.Escape(data.Note)}[/]");
    }

    public static async Task WriteJsonAsync(string path, RunReport report, string dataLabel, CancellationToken cancel)
    {
        var json = new
        {
            runId = report.RunId,
            draws = report.Draws,
            data = dataLabel,
            paperLabel = PaperResults.Label,
            thresholdPolicy = MethodCatalog.ThresholdPolicy,
            folds = report.Folds.Select(f => new
            {
                fold = f.Fold,
                status = f.Status,
                classes = PascalFiveI.TestClassesOf(f.Fold).Select(PascalClasses.Name),
                silo = f.Silo,
                device = f.Device,
                trainingDevice = f.TrainingDevice,
                trainSeconds = f.TrainSeconds,
                results = report.Scores.Where(s => s.Fold == f.Fold).Select(s => new
                {
                    method = s.Method,
                    control = s.Method.Entry().Control,
                    shots = s.Shots,
                    episodes = s.Episodes,
                    classIou = s.ClassIou.ToDictionary(c => PascalClasses.Name(c.Key), c => c.Value),
                    meanIou = s.MeanIou,
                    fbIou = s.FbIou,
                    meanIou95 = new[] { s.Low, s.High },
                    draws = s.Spread.Draws,
                    drawsMeanIou = s.Spread.Mean,
                    drawsMeanIouStd = s.Spread.Std,
                    classPrecision = s.ClassPrecision.ToDictionary(c => PascalClasses.Name(c.Key), c => c.Value),
                    classRecall = s.ClassRecall.ToDictionary(c => PascalClasses.Name(c.Key), c => c.Value),
                    precision = s.Precision,
                    recall = s.Recall,
                    paperMeanIou = PaperResults.MeanIou(s.Method, s.Shots, s.Fold) / 100,
                }),
            }),
            seenClasses = report.SeenScores.Select(s => new
            {
                method = s.Method,
                shots = s.Shots,
                fold = s.Fold,
                episodes = s.Episodes,
                meanIou = s.MeanIou,
                meanIou95 = new[] { s.Low, s.High },
                classIou = s.ClassIou.ToDictionary(c => PascalClasses.Name(c.Key), c => c.Value),
                unseenMeanIou = report.Scores.FirstOrDefault(u => u.Method == s.Method && u.Shots == s.Shots && u.Fold == s.Fold)?.MeanIou,
            }),
            shotGains = report.ShotGains.Select(g => new
            {
                method = g.Method,
                shots = g.Shots,
                fold = g.Fold,
                oneShotMeanIou = g.OneShot,
                meanIou = g.KShot,
                gain = g.Gain,
                gain95 = new[] { g.Low, g.High },
            }),
            scoringDevices = report.ScoringDevices.Select(d => new { device = d.Device, batches = d.Batches }),
            methods = report.Timings.Select(t => new
            {
                method = t.Method,
                shots = t.Shots,
                secondsPerEpisode = t.MedianSeconds,
                meanSecondsPerEpisode = t.MeanSeconds,
                meanIouOverFolds = report.MeanOf(t.Method, t.Shots)?.MeanIou,
                meanIouOverFolds95 = report.MeanOf(t.Method, t.Shots) is { } m ? new[] { m.Low, m.High } : null,
                drawsMeanIouOverFolds = report.MeanOf(t.Method, t.Shots)?.Spread.Mean,
                drawsMeanIouOverFoldsStd = report.MeanOf(t.Method, t.Shots)?.Spread.Std,
                precisionOverFolds = report.MeanOf(t.Method, t.Shots)?.Precision,
                recallOverFolds = report.MeanOf(t.Method, t.Shots)?.Recall,
                paperSecondsPerEpisode = PaperResults.Table2.TryGetValue((t.Method, t.Shots), out var s) ? s : (double?)null,
            }),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }), cancel);
    }
}
