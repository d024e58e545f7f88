using System.Globalization;
using ScottPlot;
using SegCluster.Contracts;

namespace SegCluster.Experiment;

/// <summary>
/// A run's figures where a reader would rather look than read, drawn with ScottPlot from the same report as the
/// tables: per-class IoU as a heatmap (classes x methods, each cell labelled with its value), meanIoU per fold as bars
/// with their 95% intervals, meanIoU against the number of shots, and mean precision against mean recall. Each is
/// exported as PNG or SVG under a name (<see cref="Names"/>); the numbers come from <see cref="RunReport"/> alone.
/// </summary>
public static class ReportPlots
{
    public const int Width = 960;
    public const int Height = 540;

    /// <summary>The plots a report has: a heatmap, bars and a precision-recall plot per shot count, and the shots curve when it has two or more.</summary>
    public static IReadOnlyList<string> Names(RunReport report)
    {
        var shots = report.Means.Select(m => m.Shots).Distinct().Order().ToList();
        return [.. shots.SelectMany(k => new[] { $"heatmap-{k}shot", $"bars-{k}shot", $"precision-recall-{k}shot" }), .. shots.Count > 1 ? ["shots"] : Array.Empty<string>(),
            .. report.TrainingCurves.Count > 0 ? ["training"] : Array.Empty<string>()];
    }

    /// <summary>The named plot, or null when the report has no such plot.</summary>
    public static Plot? Create(string name, RunReport report, string dataLabel)
    {
        if (!Names(report).Contains(name)) return null;
        if (name == "shots") return ShotsCurve(report, dataLabel);
        if (name == "training") return Training(report, dataLabel);
        var dash = name.LastIndexOf('-');
        var shots = int.Parse(name[(dash + 1)..^"shot".Length], CultureInfo.InvariantCulture);
        return name[..dash] switch
        {
            "heatmap" => Heatmap(report, shots, dataLabel),
            "bars" => FoldBars(report, shots, dataLabel),
            "precision-recall" => PrecisionRecall(report, shots, dataLabel),
            _ => null,
        };
    }

    /// <summary>The heatmap's rows are classes: it is drawn taller than the others.</summary>
    public static byte[] Png(Plot plot) => plot.GetImageBytes(Width, HeightOf(plot), ImageFormat.Png);

    public static string Svg(Plot plot) => plot.GetSvgXml(Width, HeightOf(plot));

    private static int HeightOf(Plot plot) => plot.GetPlottables().OfType<ScottPlot.Plottables.Heatmap>().Any() ? 2 * Height : Height;

    /// <summary>
    /// Per-class IoU %: a row per class (each fold's five test classes, fold by fold), a column per method, the value
    /// written in every cell; a class a method did not score is left blank.
    /// </summary>
    public static Plot Heatmap(RunReport report, int shots, string dataLabel)
    {
        var scores = report.Scores.Where(s => s.Shots == shots).ToList();
        var methods = scores.Select(s => s.Method).Distinct().Order().ToList();
        var classes = scores.Select(s => s.Fold).Distinct().Order().SelectMany(f => PascalFiveI.TestClassesOf(f).Select(c => (Fold: f, Class: c))).ToList();
        var values = new double[classes.Count, methods.Count];
        var plot = new Plot();
        for (var r = 0; r < classes.Count; r++)
            for (var c = 0; c < methods.Count; c++)
            {
                var score = scores.FirstOrDefault(s => s.Method == methods[c] && s.Fold == classes[r].Fold);
                values[r, c] = score is not null && score.ClassIou.TryGetValue(classes[r].Class, out var iou) ? 100 * iou : double.NaN;
            }
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new CoordinateRect(0, methods.Count, 0, classes.Count);
        // Row 0 is drawn at the top: label row r at height classes.Count - r - 0.5.
        for (var r = 0; r < classes.Count; r++)
            for (var c = 0; c < methods.Count; c++)
            {
                if (double.IsNaN(values[r, c])) continue;
                var text = plot.Add.Text(values[r, c].ToString("0.0", CultureInfo.InvariantCulture), c + 0.5, classes.Count - r - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 11;
                text.LabelFontColor = values[r, c] > 50 ? Colors.Black : Colors.White;
            }
        plot.Add.ColorBar(heatmap);
        plot.Axes.Bottom.SetTicks([.. methods.Select((_, c) => c + 0.5)], [.. methods.Select(m => m.Label())]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 160;   // room for the rotated method names
        plot.Axes.Left.SetTicks([.. classes.Select((_, r) => classes.Count - r - 0.5)],
            [.. classes.Select(c => $"{PascalClasses.Name(c.Class)} (5^{c.Fold})")]);
        plot.Axes.SetLimits(0, methods.Count, 0, classes.Count);
        plot.Title($"Per-class IoU %, {shots}-shot\n{dataLabel}");
        return plot;
    }

    /// <summary>meanIoU % per fold and over the folds: a group of bars per fold, a bar per method, each with its 95% interval.</summary>
    public static Plot FoldBars(RunReport report, int shots, string dataLabel)
    {
        var means = report.Means.Where(m => m.Shots == shots).OrderBy(m => m.Method).ToList();
        var folds = report.Scores.Where(s => s.Shots == shots).Select(s => s.Fold).Distinct().Order().ToList();
        var groups = folds.Select(f => $"PASCAL-5^{f}").Append("mean").ToList();
        var plot = new Plot();
        var width = 0.8 / Math.Max(1, means.Count);
        for (var k = 0; k < means.Count; k++)
        {
            var colour = Palette(k);
            var cells = folds.Select(f => report.Scores.FirstOrDefault(s => s.Method == means[k].Method && s.Shots == shots && s.Fold == f) is { } s
                    ? (s.MeanIou, s.Low, s.High) : (double.NaN, double.NaN, double.NaN))
                .Append((means[k].MeanIou, means[k].Low, means[k].High)).ToList();
            for (var g = 0; g < cells.Count; g++)
            {
                if (double.IsNaN(cells[g].Item1)) continue;
                var x = g - 0.4 + width * (k + 0.5);
                plot.Add.Bars(new[] { new Bar { Position = x, Value = 100 * cells[g].Item1, Size = width * 0.9, FillColor = colour } });
                var interval = plot.Add.Line(x, 100 * cells[g].Item2, x, 100 * cells[g].Item3);
                interval.Color = Colors.Black;
                interval.LineWidth = 1.5f;
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = means[k].Method.Label(), FillColor = colour });
        }
        plot.Axes.Bottom.SetTicks([.. groups.Select((_, g) => (double)g)], [.. groups]);
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("meanIoU % (black: 95% interval)");
        plot.Title($"meanIoU per fold, {shots}-shot\n{dataLabel}");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>meanIoU % over the folds against the number of shots, a line per method scored at two or more, with 95% intervals.</summary>
    public static Plot ShotsCurve(RunReport report, string dataLabel)
    {
        var plot = new Plot();
        var methods = report.Means.GroupBy(m => m.Method).Where(g => g.Count() > 1).OrderBy(g => g.Key).ToList();
        for (var k = 0; k < methods.Count; k++)
        {
            var means = methods[k].OrderBy(m => m.Shots).ToList();
            var line = plot.Add.Scatter(means.Select(m => (double)m.Shots).ToArray(), means.Select(m => 100 * m.MeanIou).ToArray(), Palette(k));
            line.LegendText = methods[k].Key.Label();
            foreach (var m in means)
            {
                var interval = plot.Add.Line(m.Shots, 100 * m.Low, m.Shots, 100 * m.High);
                interval.Color = Palette(k);
            }
        }
        var shots = report.Means.Select(m => m.Shots).Distinct().Order().ToList();
        plot.Axes.Bottom.SetTicks([.. shots.Select(k => (double)k)], [.. shots.Select(k => k.ToString(CultureInfo.InvariantCulture))]);
        plot.XLabel("support images (paired episodes: the same queries for every k)");
        plot.YLabel("meanIoU % over the folds");
        plot.Title($"meanIoU against the number of shots\n{dataLabel}");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// Figure 3's plot: meanIoU % of evaluation during training against the iteration, a line per fold, and each fold's
    /// 1-shot LogReg meanIoU as a dashed constant line in its colour (the paper's reference).
    /// </summary>
    public static Plot Training(RunReport report, string dataLabel)
    {
        var plot = new Plot();
        var curves = TrainingCurve.Of(report);
        var last = curves.SelectMany(c => c.Points).Select(p => p.Iteration).DefaultIfEmpty(1).Max();
        for (var k = 0; k < curves.Count; k++)
        {
            var curve = curves[k];
            var line = plot.Add.Scatter(curve.Points.Select(p => (double)p.Iteration).ToArray(), curve.Points.Select(p => 100 * p.MeanIou).ToArray(), Palette(k));
            line.LegendText = $"OSLSM, fold {curve.Fold}";
            if (curve.LogReg is not { } logReg) continue;
            var reference = plot.Add.Line(0, 100 * logReg, last, 100 * logReg);
            reference.Color = Palette(k);
            reference.LinePattern = LinePattern.Dashed;
            reference.LegendText = $"LogReg, fold {curve.Fold}";
        }
        plot.XLabel("training iteration");
        plot.YLabel("meanIoU % (1-shot, unseen classes)");
        plot.Title($"meanIoU during training (Figure 3)\n{dataLabel}");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Mean precision against mean recall % (over each fold's classes, then the folds), a labelled point per method.</summary>
    public static Plot PrecisionRecall(RunReport report, int shots, string dataLabel)
    {
        var plot = new Plot();
        var means = report.Means.Where(m => m.Shots == shots).OrderBy(m => m.Method).ToList();
        for (var k = 0; k < means.Count; k++)
        {
            var point = plot.Add.Marker(100 * means[k].Recall, 100 * means[k].Precision, MarkerShape.FilledCircle, 9, Palette(k));
            point.LegendText = means[k].Method.Label();
        }
        plot.Axes.SetLimits(0, 100, 0, 100);
        plot.XLabel("recall %");
        plot.YLabel("precision %");
        plot.Title($"Precision against recall, {shots}-shot\n{dataLabel}");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Color Palette(int index) => new ScottPlot.Palettes.Category10().GetColor(index);
}
