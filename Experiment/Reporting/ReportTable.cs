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
    /// Table 1 in the paper's layout: a block per shot count, methods as rows, PASCAL-5^0..5^3 and their mean as
    /// columns, each cell meanIoU % with its 95% interval; under each method the paper reports, its figures. With
    /// several draws of test episodes each cell is the draws' mean ± std, and a row beneath holds the pooled interval.
    /// </summary>
    public static ReportTable Table1(RunReport report, string dataLabel)
    {
        Cell pooled = (m, s, fold) => s is not null ? Interval(s.MeanIou, s.Low, s.High) : fold is null ? Interval(m.MeanIou, m.Low, m.High) : "";
        Cell paper = (m, s, fold) => PaperResults.MeanIou(m.Method, m.Shots, fold)?.ToString("0.0", CultureInfo.InvariantCulture) ?? "";
        return report.Draws > 1
            ? Matrix(report, "Table 1: meanIoU %", (m, s, _) => Spread(s?.Spread ?? m.Spread), [("  pooled", pooled), ("  paper", paper)],
                NoteOf(report, dataLabel) + DrawsNote(report) + " The row \"pooled\" under a method: meanIoU over every draw's episodes (95% interval);" +
                " a row \"paper\": the paper's figures." + OtherShotsNote(report))
            : Matrix(report, "Table 1: meanIoU %", pooled, [("  paper", paper)],
                NoteOf(report, dataLabel) + " Each cell: ours (95% interval); a row \"paper\" under a method holds the paper's figures." + OtherShotsNote(report));
    }

    /// <summary>FB-IoU, precision and recall % in Table 1's layout (precision and recall: means over each fold's classes).</summary>
    public static ReportTable Table1Figures(RunReport report, string dataLabel) => Matrix(report, "Table 1, other figures: FB-IoU, precision / recall %",
        (m, s, _) => s is not null ? $"{Percent(s.FbIou)}, {Percent(s.Precision)} / {Percent(s.Recall)}"
            : $"{Percent(report.Scores.Where(x => x.Method == m.Method && x.Shots == m.Shots).Average(x => x.FbIou))}, {Percent(m.Precision)} / {Percent(m.Recall)}",
        [], NoteOf(report, dataLabel, paperColumn: false) + " Each cell: FB-IoU, precision / recall.");

    /// <summary>Table 1's blocks: the paper's shot counts (1 and 5) where the run has them, else every shot count it has.</summary>
    public static IReadOnlyList<int> Table1Shots(RunReport report)
    {
        var shots = report.Means.Select(m => m.Shots).Distinct().Order().ToList();
        var paper = shots.Where(k => k is 1 or 5).ToList();
        return paper.Count > 0 ? paper : shots;
    }

    /// <summary>
    /// A cell of Table 1's layout: of a method's score on a fold, or (fold null) of its mean over the folds; the score
    /// is null for the mean and for a fold the run did not score.
    /// </summary>
    private delegate string Cell(MethodMean mean, FoldScore? score, int? fold);

    /// <summary>
    /// A block per shot count, a row per method (catalog order), the folds and their mean as columns; under a method,
    /// a row per labelled extra where its mean cell is not empty (the paper's figures where it reports the method).
    /// </summary>
    private static ReportTable Matrix(RunReport report, string title, Cell cell, IReadOnlyList<(string Label, Cell Cell)> extras, string note)
    {
        var folds = Enumerable.Range(0, PascalFiveI.Folds).ToList();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var shots in Table1Shots(report))
        {
            rows.Add([$"{shots}-shot", .. folds.Select(_ => ""), ""]);
            foreach (var mean in report.Means.Where(m => m.Shots == shots).OrderBy(m => m.Method))
            {
                var scores = folds.Select(f => report.Scores.FirstOrDefault(s => s.Method == mean.Method && s.Shots == shots && s.Fold == f)).ToList();
                rows.Add([mean.Method.Label(), .. folds.Select(f => scores[f] is null ? "" : cell(mean, scores[f], f)), cell(mean, null, null)]);
                foreach (var (label, extra) in extras.Where(e => e.Cell(mean, null, null).Length > 0))
                    rows.Add([label, .. folds.Select(f => extra(mean, scores[f], f)), extra(mean, null, null)]);
            }
        }
        return new ReportTable(title, ["method", .. folds.Select(f => $"PASCAL-5^{f}"), "mean"], rows, note);
    }

    private static string OtherShotsNote(RunReport report) =>
        Table1Shots(report).Count < report.Means.Select(m => m.Shots).Distinct().Count() ? " Other shot counts: the meanIoU-against-shots table." : "";

    private static string DrawsNote(RunReport report) => report.Draws > 1
        ? $" With {report.Draws} draws of test episodes (test seeds, and runs trained under several seeds), each cell is the mean ± std of the draws' meanIoU."
        : "";

    private static string Interval(double meanIou, double low, double high) => $"{Percent(meanIou)} ({Percent(low)}-{Percent(high)})";

    private static string Spread(SeedSpread spread) => $"{Percent(spread.Mean)}±{Percent(spread.Std)}";

    /// <summary>
    /// meanIoU against the number of shots: a row per method, a column per shot count the run scored (paired episodes:
    /// the same queries for every k), and the mean gain per added support image from the fewest shots to the most.
    /// </summary>
    public static ReportTable KShot(RunReport report, string dataLabel)
    {
        var shots = report.Means.Select(m => m.Shots).Distinct().Order().ToList();
        var rows = report.Means.Select(m => m.Method).Distinct().Order().Select(method =>
        {
            var means = shots.Select(k => report.MeanOf(method, k)).ToList();
            var scored = means.OfType<MethodMean>().ToList();
            var perShot = scored.Count > 1 ? (scored[^1].MeanIou - scored[0].MeanIou) / (scored[^1].Shots - scored[0].Shots) : (double?)null;
            return (IReadOnlyList<string>)[method.Label(), .. means.Select(m => m is null ? "" : report.Draws > 1 ? Spread(m.Spread) : Interval(m.MeanIou, m.Low, m.High)),
                perShot is null ? "" : SignedPercent(perShot.Value)];
        }).ToList();
        return new ReportTable("meanIoU % against the number of shots", ["method", .. shots.Select(k => $"{k}-shot"), "per added shot"], rows,
            $"Ours: {dataLabel}. Mean over the folds; episode i of every shot count has the same query and class, its supports the first k of one draw. " +
            "Per added shot: the change from the fewest shots to the most, divided by the shots added." +
            (report.Draws > 1 ? DrawsNote(report) + " Table 1 has the pooled intervals." : " Each cell: ours (95% interval)."));
    }

    /// <summary>
    /// Table 1 in long form: meanIoU % per method, shots and fold with per-class IoU, 95% interval, FB-IoU, mean
    /// precision and recall over the fold's classes, and the paper's figure beside it (the CSV a script reads).
    /// </summary>
    public static ReportTable Table1Long(RunReport report, string dataLabel)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (method, shots) in report.Means.Select(m => (m.Method, m.Shots)).OrderBy(m => m.Shots).ThenBy(m => m.Method))
        {
            foreach (var s in report.Scores.Where(s => s.Method == method && s.Shots == shots))
            {
                var classes = string.Join(", ", PascalFiveI.TestClassesOf(s.Fold).Select(c => $"{PascalClasses.Name(c)} {Percent(s.ClassIou.GetValueOrDefault(c))}"));
                rows.Add(Row(method, shots, s.Fold.ToString(CultureInfo.InvariantCulture), classes, s.MeanIou, s.Low, s.High, s.Spread, Percent(s.FbIou),
                    s.Precision, s.Recall, PaperResults.MeanIou(method, shots, s.Fold)));
            }
            var mean = report.MeanOf(method, shots)!;
            rows.Add(Row(method, shots, "mean", "", mean.MeanIou, mean.Low, mean.High, mean.Spread, "", mean.Precision, mean.Recall, PaperResults.MeanIou(method, shots, null)));
        }
        return new ReportTable("Table 1, long form: meanIoU %", ["method", "shots", "fold", "class IoU %", "meanIoU", "95% CI", "draws", "mean ± std over draws",
            "FB-IoU", "precision", "recall", PaperResults.Label, "difference"], rows, NoteOf(report, dataLabel) + DrawsNote(report));

        static IReadOnlyList<string> Row(Method method, int shots, string fold, string classes, double meanIou, double low, double high, SeedSpread spread,
            string fbIou, double precision, double recall, double? paper) =>
        [
            method.Label(), shots.ToString(CultureInfo.InvariantCulture), fold, classes, Percent(meanIou),
            $"{Percent(low)}-{Percent(high)}", spread.Draws.ToString(CultureInfo.InvariantCulture), $"{Percent(spread.Mean)} ± {Percent(spread.Std)}",
            fbIou, Percent(precision), Percent(recall), paper?.ToString("0.0", CultureInfo.InvariantCulture) ?? "",
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
                    report.Scores.FirstOrDefault(u => u.Method == s.Method && u.Shots == s.Shots && u.Fold == s.Fold)?.MeanIou, s.Spread));
            rows.Add(Row(mean.Method, mean.Shots, "mean", report.SeenScores.Where(s => s.Method == mean.Method && s.Shots == mean.Shots).Sum(s => s.Episodes),
                mean.MeanIou, mean.Low, mean.High, report.MeanOf(mean.Method, mean.Shots)?.MeanIou, mean.Spread));
        }
        return new ReportTable("Control: seen classes, meanIoU %", ["method", "shots", "fold", "episodes", "seen classes", "95% CI", "mean ± std over draws",
            "unseen classes", "seen - unseen"],
            rows, $"Ours: {dataLabel}. Seen: VOC val images (never trained on) of the fold's 15 training classes, meanIoU over those with episodes; " +
            "unseen: the fold's 5 held-out classes (Table 1). The seen-class episodes are one draw per run.");

        static IReadOnlyList<string> Row(Method method, int shots, string fold, int episodes, double seen, double low, double high, double? unseen, SeedSpread spread) =>
        [
            method.Label(), shots.ToString(CultureInfo.InvariantCulture), fold, episodes.ToString(CultureInfo.InvariantCulture), Percent(seen),
            $"{Percent(low)}-{Percent(high)}", $"{Percent(spread.Mean)} ± {Percent(spread.Std)} ({spread.Draws})",
            unseen is null ? "" : Percent(unseen.Value), unseen is null ? "" : SignedPercent(seen - unseen.Value),
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
        + (report.Means.Any(m => m.Method == Method.Cosegmentation) ? " co-segmentation " + MethodCatalog.CosegmentationStandIn + "." : "");

    /// <summary>
    /// Table 2 in the paper's layout: a row per method, and for each shot count the median seconds per episode
    /// (warm-up excluded), its ratio to OSLSM's, and the paper's seconds and ratio beside them.
    /// </summary>
    public static ReportTable Table2(RunReport report, string machineLabel)
    {
        var shotCounts = report.Timings.Select(t => t.Shots).Distinct().Order().ToList();
        var rows = report.Timings.Select(t => t.Method).Distinct().Order().Select(method => (IReadOnlyList<string>)
        [
            method.Label(), .. shotCounts.SelectMany(shots =>
            {
                var t = report.Timings.FirstOrDefault(x => x.Method == method && x.Shots == shots);
                var oslsm = report.Timings.FirstOrDefault(o => o.Method == Method.Oslsm && o.Shots == shots);
                var paper = PaperResults.Table2.TryGetValue((method, shots), out var p) ? p : (double?)null;
                var paperOslsm = PaperResults.Table2.TryGetValue((Method.Oslsm, shots), out var o) ? o : (double?)null;
                return new[]
                {
                    t is null ? "" : Seconds(t.MedianSeconds), t is null || oslsm is null ? "" : Ratio(t.MedianSeconds / oslsm.MedianSeconds),
                    paper?.ToString("0.00", CultureInfo.InvariantCulture) ?? "", paper is null || paperOslsm is null ? "" : Ratio(paper.Value / paperOslsm.Value),
                };
            }),
        ]).ToList();
        return new ReportTable("Table 2: seconds per episode", ["method", .. shotCounts.SelectMany(k => new[]
            { $"{k}-shot s", $"{k}-shot ratio", $"{k}-shot paper s", $"{k}-shot paper ratio" })], rows,
            $"Ours: {machineLabel}, median seconds per episode (warm-up excluded; means and counts in the JSON); ratio: to OSLSM's. " +
            $"Paper: {PaperResults.Label}.");
    }

    /// <summary>
    /// Figure 3's numbers: meanIoU % of evaluation during training at each iteration, a column per fold (a group's
    /// runs averaged), and the fold's 1-shot LogReg meanIoU on all its test episodes, the paper's constant reference.
    /// </summary>
    public static ReportTable Training(RunReport report, string dataLabel)
    {
        var curves = TrainingCurve.Of(report);
        var iterations = curves.SelectMany(c => c.Points.Select(p => p.Iteration)).Distinct().Order().ToList();
        var rows = iterations.Select(i => (IReadOnlyList<string>)[i.ToString(CultureInfo.InvariantCulture),
            .. curves.Select(c => c.Points.FirstOrDefault(p => p.Iteration == i) is { } p ? Percent(p.MeanIou) : "")]).ToList();
        if (curves.Any(c => c.LogReg is not null))
            rows.Add(["LogReg (1-shot, all test episodes)", .. curves.Select(c => c.LogReg is { } l ? Percent(l) : "")]);
        return new ReportTable("Figure 3: meanIoU % during training", ["iteration", .. curves.Select(c => $"fold {c.Fold}")], rows,
            $"Ours: {dataLabel}. Each point: OSLSM on the same seeded 1-shot test episodes of the fold ({string.Join(", ", curves.Select(c => $"fold {c.Fold}: {c.Episodes}"))} " +
            "episodes, unseen classes), scored with the network as trained to that iteration.");
    }

    /// <summary>The tables a run is exported as, by the name in their address and file name.</summary>
    public static readonly IReadOnlyList<string> Names = ["table1", "table1-figures", "table1-long", "table2", "shots", "classes", "gains", "seen", "training"];

    /// <summary>The named table (null: no such name); <paramref name="machineLabel"/> says where Table 2's seconds were measured.</summary>
    public static ReportTable? Named(string name, RunReport report, string dataLabel, string machineLabel) => name switch
    {
        "table1" => Table1(report, dataLabel),
        "table1-figures" => Table1Figures(report, dataLabel),
        "table1-long" => Table1Long(report, dataLabel),
        "table2" => Table2(report, machineLabel),
        "shots" => KShot(report, dataLabel),
        "classes" => Classes(report, dataLabel),
        "gains" => ShotGains(report, dataLabel),
        "seen" => SeenClasses(report, dataLabel),
        "training" => Training(report, dataLabel),
        _ => null,
    };

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
