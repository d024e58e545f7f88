using System.Globalization;
using System.Text;
using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// A table as the CLI, the dashboard and the exports show it: title, column names, rows of formatted cells, and a
/// note that labels whose numbers they are. One construction for every place a run's tables appear.
/// </summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string Note)
{
    /// <summary>
    /// Table 1: meanIoU % per method, shots and fold with per-class IoU, 95% interval, FB-IoU, mean precision and
    /// recall over the fold's classes, and the paper's figure beside it.
    /// </summary>
    public static ReportTable Table1(RunReport report, string dataLabel)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (method, shots) in report.Means.Select(m => (m.Method, m.Shots)).OrderBy(m => m.Shots).ThenBy(m => m.Method))
        {
            foreach (var s in report.Scores.Where(s => s.Method == method && s.Shots == shots))
            {
                var classes = string.Join(", ", PascalFiveI.TestClassesOf(s.Fold).Select(c => $"{PascalClasses.Name(c)} {Percent(s.ClassIou.GetValueOrDefault(c))}"));
                rows.Add(Row(method, shots, s.Fold.ToString(CultureInfo.InvariantCulture), classes, s.MeanIou, s.Low, s.High, Percent(s.FbIou),
                    s.Precision, s.Recall, PaperResults.MeanIou(method, shots, s.Fold)));
            }
            var mean = report.MeanOf(method, shots)!;
            rows.Add(Row(method, shots, "mean", "", mean.MeanIou, mean.Low, mean.High, "", mean.Precision, mean.Recall, PaperResults.MeanIou(method, shots, null)));
        }
        return new ReportTable("Table 1: meanIoU %", ["method", "shots", "fold", "class IoU %", "meanIoU", "95% CI", "FB-IoU", "precision", "recall",
            PaperResults.Label, "difference"], rows, NoteOf(report, dataLabel));

        static IReadOnlyList<string> Row(Method method, int shots, string fold, string classes, double meanIou, double low, double high, string fbIou,
            double precision, double recall, double? paper) =>
        [
            method.Label(), shots.ToString(CultureInfo.InvariantCulture), fold, classes, Percent(meanIou),
            $"{Percent(low)}-{Percent(high)}", fbIou, Percent(precision), Percent(recall), paper?.ToString("0.0", CultureInfo.InvariantCulture) ?? "",
            paper is null ? "" : (100 * meanIou - paper.Value).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture),
        ];
    }

    /// <summary>What k shots add to one, per method and fold and over the folds, on paired episodes.</summary>
    public static ReportTable ShotGains(RunReport report, string dataLabel) => new("Gain from k shots over 1: meanIoU %, paired episodes",
        ["method", "shots", "fold", "1-shot", "k-shot", "gain", "95% CI"],
        [.. report.ShotGains.OrderBy(g => g.Shots).ThenBy(g => g.Method).ThenBy(g => g.Fold ?? int.MaxValue).Select(g => (IReadOnlyList<string>)
            [g.Method.Label(), g.Shots.ToString(CultureInfo.InvariantCulture), g.Fold?.ToString(CultureInfo.InvariantCulture) ?? "mean",
                Percent(g.OneShot), Percent(g.KShot), SignedPercent(g.Gain), $"{SignedPercent(g.Low)} to {SignedPercent(g.High)}"])],
        $"Ours: {dataLabel}. Episode i of every shot count has the same query and class, its supports the first k of one draw; " +
        "the interval resamples the batches of both shot counts together.");

    /// <summary>The seen-class control: each method's meanIoU on held-out images of the fold's training classes, beside its unseen-class one.</summary>
    public static ReportTable SeenClasses(RunReport report, string dataLabel)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var mean in report.SeenMeans.OrderBy(m => m.Shots).ThenBy(m => m.Method))
        {
            foreach (var s in report.SeenScores.Where(s => s.Method == mean.Method && s.Shots == mean.Shots))
                rows.Add(Row(s.Method, s.Shots, s.Fold.ToString(CultureInfo.InvariantCulture), s.Episodes, s.MeanIou, s.Low, s.High,
                    report.Scores.FirstOrDefault(u => u.Method == s.Method && u.Shots == s.Shots && u.Fold == s.Fold)?.MeanIou));
            rows.Add(Row(mean.Method, mean.Shots, "mean", report.SeenScores.Where(s => s.Method == mean.Method && s.Shots == mean.Shots).Sum(s => s.Episodes),
                mean.MeanIou, mean.Low, mean.High, report.MeanOf(mean.Method, mean.Shots)?.MeanIou));
        }
        return new ReportTable("Control: seen classes, meanIoU %", ["method", "shots", "fold", "episodes", "seen classes", "95% CI", "unseen classes", "seen - unseen"],
            rows, $"Ours: {dataLabel}. Seen: VOC val images (never trained on) of the fold's 15 training classes, meanIoU over those with episodes; " +
            "unseen: the fold's 5 held-out classes (Table 1).");

        static IReadOnlyList<string> Row(Method method, int shots, string fold, int episodes, double seen, double low, double high, double? unseen) =>
        [
            method.Label(), shots.ToString(CultureInfo.InvariantCulture), fold, episodes.ToString(CultureInfo.InvariantCulture), Percent(seen),
            $"{Percent(low)}-{Percent(high)}", unseen is null ? "" : Percent(unseen.Value), unseen is null ? "" : SignedPercent(seen - unseen.Value),
        ];
    }

    /// <summary>Per class: IoU, precision and recall % of each method, shots and fold, over all the class's episodes.</summary>
    public static ReportTable Classes(RunReport report, string dataLabel) => new("Per class: IoU, precision and recall %",
        ["method", "shots", "fold", "class", "IoU", "precision", "recall"],
        [.. report.Scores.OrderBy(s => s.Shots).ThenBy(s => s.Method).ThenBy(s => s.Fold).SelectMany(s => PascalFiveI.TestClassesOf(s.Fold).Select(c =>
            (IReadOnlyList<string>)[s.Method.Label(), s.Shots.ToString(CultureInfo.InvariantCulture), s.Fold.ToString(CultureInfo.InvariantCulture),
                PascalClasses.Name(c), Percent(s.ClassIou.GetValueOrDefault(c)), Percent(s.ClassPrecision.GetValueOrDefault(c)), Percent(s.ClassRecall.GetValueOrDefault(c))]))],
        NoteOf(report, dataLabel, paperColumn: false));

    private static string NoteOf(RunReport report, string dataLabel, bool paperColumn = true) =>
        $"Ours: {dataLabel}." + (paperColumn ? $" {PaperResults.Label}: the paper's figures, for reference only." : "") + $" Masks: {MethodCatalog.ThresholdPolicy}."
        + (report.Means.Any(m => m.Method == Method.Cosegmentation) ? " co-segmentation " + MethodCatalog.CosegmentationStandIn : "");

    /// <summary>Table 2: seconds per episode (median, warm-up excluded) and the ratio to OSLSM, beside the paper's.</summary>
    public static ReportTable Table2(RunReport report, string machineLabel)
    {
        var rows = report.Timings.Select(t =>
        {
            var oslsm = report.Timings.FirstOrDefault(o => o.Method == Method.Oslsm && o.Shots == t.Shots);
            var paper = PaperResults.Table2.TryGetValue((t.Method, t.Shots), out var s) ? s : (double?)null;
            var paperOslsm = PaperResults.Table2.TryGetValue((Method.Oslsm, t.Shots), out var o) ? o : (double?)null;
            return (IReadOnlyList<string>)
            [
                t.Method.Label(), t.Shots.ToString(CultureInfo.InvariantCulture), t.Episodes.ToString(CultureInfo.InvariantCulture),
                Seconds(t.MedianSeconds), Seconds(t.MeanSeconds), oslsm is null ? "" : Ratio(t.MedianSeconds / oslsm.MedianSeconds),
                paper?.ToString("0.00", CultureInfo.InvariantCulture) ?? "", paper is null || paperOslsm is null ? "" : Ratio(paper.Value / paperOslsm.Value),
            ];
        }).ToList();
        return new ReportTable("Table 2: seconds per episode", ["method", "shots", "episodes", "median s", "mean s", "ratio to OSLSM",
            $"{PaperResults.Label} s", $"{PaperResults.Label} ratio"], rows,
            $"Ours: {machineLabel}, median over episodes, warm-up excluded. The paper's: Titan X GPU.");
    }

    public string ToCsv()
    {
        var text = new StringBuilder();
        foreach (var row in Rows.Prepend(Columns))
            text.Append(string.Join(',', row.Select(CsvCell))).Append("\r\n");
        return text.ToString();

        static string CsvCell(string cell) => cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{cell.Replace("\"", "\"\"")}\"" : cell;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder($"**{MarkdownCell(Title)}**\n\n");
        text.Append("| ").Append(string.Join(" | ", Columns.Select(MarkdownCell))).Append(" |\n");
        text.Append('|').Append(string.Concat(Columns.Select(_ => " --- |"))).Append('\n');
        foreach (var row in Rows) text.Append("| ").Append(string.Join(" | ", row.Select(MarkdownCell))).Append(" |\n");
        return text.Append('\n').Append(MarkdownCell(Note)).Append('\n').ToString();

        static string MarkdownCell(string cell) => cell.Replace("\\", "\\\\").Replace("|", "\\|").Replace("\n", " ");
    }

    public string ToLatex()
    {
        var text = new StringBuilder("\\begin{table}\n\\centering\n");
        text.Append("\\begin{tabular}{").Append(new string('l', Columns.Count)).Append("}\n\\hline\n");
        text.Append(string.Join(" & ", Columns.Select(LatexCell))).Append(" \\\\\n\\hline\n");
        foreach (var row in Rows) text.Append(string.Join(" & ", row.Select(LatexCell))).Append(" \\\\\n");
        text.Append("\\hline\n\\end{tabular}\n");
        return text.Append("\\caption{").Append(LatexCell(Title)).Append(". ").Append(LatexCell(Note)).Append("}\n\\end{table}\n").ToString();

        static string LatexCell(string cell)
        {
            var escaped = new StringBuilder();
            foreach (var c in cell)
                escaped.Append(c switch
                {
                    '\\' => "\\textbackslash{}", '&' or '%' or '$' or '#' or '_' or '{' or '}' => "\\" + c,
                    '~' => "\\textasciitilde{}", '^' => "\\textasciicircum{}", _ => c.ToString(),
                });
            return escaped.ToString();
        }
    }

    private static string Percent(double value) => (100 * value).ToString("0.0", CultureInfo.InvariantCulture);
    private static string SignedPercent(double value) => (100 * value).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);
    private static string Seconds(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
