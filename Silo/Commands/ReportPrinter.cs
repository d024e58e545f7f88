using System.Globalization;
using System.Text.Json;
using SegCluster.Grains.Reporting;
using SegCluster.Learning.Data;
using SegCluster.Learning.Evaluation;
using Spectre.Console;

namespace SegCluster.Silo.Commands;

/// <summary>Prints a run's Table 1 and Table 2 next to the paper's figures, and writes them as JSON.</summary>
public static class ReportPrinter
{
    public static void Print(RunReport report, string dataLabel)
    {
        foreach (var (method, shots) in report.MethodsAndShots.OrderBy(m => m.Shots).ThenBy(m => m.Method))
        {
            var table = new Table().Title($"Table 1 ({shots}-shot, {Markup.Escape(PaperResults.MethodLabel(method))}): meanIoU % on {Markup.Escape(dataLabel)}")
                .AddColumns("fold", "classes (IoU %)", "meanIoU", "FB-IoU", Markup.Escape(PaperResults.Label));
            foreach (var score in report.Scores.Where(s => s.Method == method && s.Shots == shots))
            {
                var classes = string.Join(", ", FoldSplit.TestClassesOf(score.Fold).Select(c =>
                    $"{PascalClasses.Name(c)} {Percent(score.ClassIou.GetValueOrDefault(c))}"));
                table.AddRow(score.Fold.ToString(CultureInfo.InvariantCulture), classes, Percent(score.MeanIou), Percent(score.FbIou),
                    Paper(PaperResults.MeanIou(method, shots, score.Fold)));
            }
            table.AddRow("mean", "", Percent(report.MeanOverFolds(method, shots) ?? 0), "", Paper(PaperResults.MeanIou(method, shots, null)));
            AnsiConsole.Write(table);
        }
        var timing = new Table().Title("Table 2: seconds per episode (median, warm-up excluded; this machine)")
            .AddColumns("method", "shots", "episodes", "median s", "mean s", "ratio to oslsm", Markup.Escape(PaperResults.Label));
        foreach (var t in report.Timings)
        {
            var oslsm = report.Timings.FirstOrDefault(o => o.Method == "oslsm" && o.Shots == t.Shots);
            timing.AddRow(Markup.Escape(PaperResults.MethodLabel(t.Method)), t.Shots.ToString(CultureInfo.InvariantCulture), t.Episodes.ToString(CultureInfo.InvariantCulture),
                t.MedianSeconds.ToString("0.0000", CultureInfo.InvariantCulture), t.MeanSeconds.ToString("0.0000", CultureInfo.InvariantCulture),
                oslsm is null ? "" : (t.MedianSeconds / oslsm.MedianSeconds).ToString("0.00", CultureInfo.InvariantCulture),
                PaperResults.Table2.TryGetValue((t.Method, t.Shots), out var s) ? s.ToString("0.00", CultureInfo.InvariantCulture) : "");
        }
        AnsiConsole.Write(timing);
        if (report.Timings.Any(t => t.Method == "co-segmentation"))
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(PaperResults.StandInNote)}[/]");
    }

    public static async Task WriteJsonAsync(string path, RunReport report, string dataLabel, CancellationToken cancel)
    {
        var json = new
        {
            runId = report.RunId,
            data = dataLabel,
            paperLabel = PaperResults.Label,
            folds = report.Folds.Select(f => new
            {
                fold = f.Fold,
                status = f.Status,
                classes = FoldSplit.TestClassesOf(f.Fold).Select(PascalClasses.Name),
                silo = f.Silo,
                device = f.Device,
                trainSeconds = f.TrainSeconds,
                results = report.Scores.Where(s => s.Fold == f.Fold).Select(s => new
                {
                    method = s.Method,
                    shots = s.Shots,
                    episodes = s.Episodes,
                    classIou = s.ClassIou.ToDictionary(c => PascalClasses.Name(c.Key), c => c.Value),
                    meanIou = s.MeanIou,
                    fbIou = s.FbIou,
                    paperMeanIou = PaperResults.MeanIou(s.Method, s.Shots, s.Fold) / 100,
                }),
            }),
            methods = report.Timings.Select(t => new
            {
                method = t.Method,
                shots = t.Shots,
                secondsPerEpisode = t.MedianSeconds,
                meanSecondsPerEpisode = t.MeanSeconds,
                meanIouOverFolds = report.MeanOverFolds(t.Method, t.Shots),
                paperSecondsPerEpisode = PaperResults.Table2.TryGetValue((t.Method, t.Shots), out var s) ? s : (double?)null,
            }),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }), cancel);
    }

    private static string Percent(double value) => (100 * value).ToString("0.0", CultureInfo.InvariantCulture);
    private static string Paper(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "";
}
