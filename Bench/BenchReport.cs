using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;

namespace SegCluster.Bench;

/// <summary>
/// Writes benchmarks.md and its plots (ScottPlot PNGs) from a benchmark results file, so the document always shows
/// one run's figures with the machine, threads, presets and sizes they were measured with.
/// </summary>
public static class BenchReport
{
    public static void Write(string resultsJson, string folder)
    {
        Directory.CreateDirectory(folder);
        using var results = JsonDocument.Parse(File.ReadAllText(resultsJson));
        var root = results.RootElement;
        var md = new StringBuilder("# Benchmarks\n\n");
        var env = root.GetProperty("environment");
        md.Append($"Measured {S(env, "date")} on `{S(env, "machine")}` ({S(env, "cpu")}, {I(env, "cores")} cores), {I(env, "threads")} torch thread(s), " +
                  $"{S(env, "torch")}. Written by `./segcluster bench --json FILE --report docs` from one run; ratios are measured side by side in " +
                  "that run. No figure here is a GPU figure.\n\n");

        if (root.TryGetProperty("parity", out var parity))
        {
            var s = parity.GetProperty("settings");
            md.Append($"## parity\n\nOne whole OSLSM episode ({S(parity, "episode")}: decoding {I(s, "imageSize")}x{I(s, "imageSize")} JPEGs and PNG masks, " +
                      $"resizing to query {I(s, "querySize")} and support {I(s, "supportSize")}, both branches, upsampling, threshold, IoU), {S(s, "preset")}, " +
                      $"random PyTorch-written weights, in SegCluster (TorchSharp, ImageSharp) and in a plain PyTorch {S(parity, "pyTorchVersion")} script " +
                      $"(PIL). {I(s, "rounds")} rounds; in each, each side scores {I(s, "untimedPerTurn")} untimed and then {I(s, "timedPerTurn")} timed " +
                      "episodes in turn, and the side that goes first alternates; the ratio is the median over the rounds of the two sides' median " +
                      "times.\n\n| | median s | IoU |\n| --- | --- | --- |\n" +
                      $"| SegCluster | {D(parity, "torchSharpMedian", "0.000")} | {D(parity, "torchSharpIou", "0.0000")} |\n" +
                      $"| PyTorch | {D(parity, "pyTorchMedian", "0.000")} | {D(parity, "pyTorchIou", "0.0000")} |\n\n" +
                      $"Time ratio {D(parity, "ratio", "0.000")} (goal <= 1.05); largest relative logit difference on the same inputs " +
                      $"{parity.GetProperty("maxRelativeLogitDifference").GetDouble().ToString("0.0e0", CultureInfo.InvariantCulture)} (goal <= 1e-4); the two " +
                      $"sides' network inputs differ by at most {D(parity, "maxInputDifference", "0.000")} (one grey level is about 0.017) and their masks " +
                      $"agree on {(100 * parity.GetProperty("maskAgreement").GetDouble()).ToString("0.00", CultureInfo.InvariantCulture)}% of the pixels.\n\n");
        }
        if (root.TryGetProperty("table2", out var table2))
        {
            md.Append("## table2\n\nSeconds per episode (median, warm-up excluded), the ratio to OSLSM beside the paper's (Titan X), operations per " +
                      "episode and time as a multiple of the FLOP-bound limit (operations / the fp32 matmul peak measured in the same run; goal <= 2), " +
                      "and of the stricter limit set by the 3x3 convolution rate of the same run.\n\n");
            foreach (var run in table2.EnumerateArray())
            {
                var s = run.GetProperty("settings");
                var name = $"table2-{S(s, "preset")}";
                var peak = run.GetProperty("peak");
                md.Append($"### {S(s, "preset")}, query {I(s, "querySize")}, support {I(s, "supportSize")}, matmul peak {D(peak, "matmulGigaFlopsPerSecond", "0")} GFLOP/s, " +
                          $"3x3 convolution {D(peak, "convolutionGigaFlopsPerSecond", "0")} GFLOP/s\n\n");
                md.Append("| method | shots | median s | ratio to OSLSM | paper ratio | GFLOP | x FLOP-bound limit | x convolution limit |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
                var methods = run.GetProperty("methods").EnumerateArray().ToList();
                foreach (var m in methods)
                    md.Append($"| {S(m, "method")} | {I(m, "shots")} | {D(m, "medianSeconds", "0.0000")} | {D(m, "ratioToOslsm", "0.00")} | " +
                              $"{D(m, "paperRatioToOslsm", "0.00")} | {D(m, "gigaFlops", "0.00")} | {D(m, "multipleOfLimit", "0.0")} | {D(m, "multipleOfConvolutionLimit", "0.0")} |\n");
                md.Append($"\nOSLSM 5-shot / 1-shot: {D(run, "oslsmFiveToOneShot", "0.00")} in time (goal <= 1.3), {D(run, "oslsmFiveToOneShotOperations", "0.00")} in operations.\n\n");
                var labels = methods.Select(m => $"{S(m, "method")} {I(m, "shots")}").ToArray();
                Grouped($"{name}-ratio.png", $"Seconds per episode / OSLSM's ({S(s, "preset")}, CPU) vs paper (Titan X)", labels,
                    ("this run", methods.Select(m => Value(m, "ratioToOslsm")).ToArray()), ("paper", methods.Select(m => Value(m, "paperRatioToOslsm")).ToArray()),
                    folder, line: null);
                Grouped($"{name}-limit.png", $"Time / FLOP-bound limit ({S(s, "preset")}); goal <= 2", labels,
                    ("this run", methods.Select(m => Value(m, "multipleOfLimit")).ToArray()), null, folder, line: 2);
                md.Append($"![ratios]({name}-ratio.png)\n![limit]({name}-limit.png)\n\n");
            }
        }
        if (root.TryGetProperty("roofline", out var roofline))
        {
            var s = roofline.GetProperty("settings");
            var peak = roofline.GetProperty("peak");
            var rows = roofline.GetProperty("forwards").EnumerateArray().ToList();
            var scoring = roofline.GetProperty("scoring");
            md.Append($"## roofline\n\nOSLSM forward ({S(s, "preset")}, query {I(s, "querySize")}, support {I(s, "supportSize")}): operations counted " +
                      $"per layer by forward hooks, over the median time, against the fp32 matmul peak of the same run ({D(peak, "matmulGigaFlopsPerSecond", "0.0")} GFLOP/s; " +
                      $"goal >= 75%) and against the rate of a 3x3 convolution of VGG's shape ({D(peak, "convolutionGigaFlopsPerSecond", "0.0")} GFLOP/s), " +
                      "the stricter ceiling. The same forward in bf16: median time, speed-up, and IoU between its masks and fp32's (logits above 0).\n\n" +
                      "| shots | GFLOP | median s | GFLOP/s | share of matmul peak | share of convolution rate | bf16 s | bf16 speed-up | bf16/fp32 mask IoU |\n" +
                      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            foreach (var r in rows)
                md.Append($"| {I(r, "shots")} | {D(r, "gigaFlops", "0.0")} | {D(r, "medianSeconds", "0.000")} | {D(r, "achievedGigaFlopsPerSecond", "0.0")} | " +
                          $"{Percent(r, "shareOfMatmulPeak")} | {Percent(r, "shareOfConvolutionRate")} | {D(r, "bFloat16MedianSeconds", "0.000")} | " +
                          $"{D(r, "bFloat16SpeedUp", "0.00")}x | {D(r, "bFloat16MaskAgreement", "0.000")} |\n");
            Grouped("roofline.png", "GFLOP/s: OSLSM forward vs the fp32 rates of the same run", rows.Select(r => $"{I(r, "shots")}-shot").ToArray(),
                ("OSLSM forward", rows.Select(r => Value(r, "achievedGigaFlopsPerSecond")).ToArray()),
                ("matmul peak", rows.Select(_ => Value(peak, "matmulGigaFlopsPerSecond")).ToArray()), folder, line: Value(peak, "convolutionGigaFlopsPerSecond"));
            md.Append($"\n![roofline](roofline.png)\n\nThe line marks the 3x3 convolution rate. bf16 scoring (`--precision bf16`; CPU with native bf16: " +
                      $"{(roofline.GetProperty("cpuHasBFloat16").GetBoolean() ? "yes" : "no")}): {S(scoring, "preset")} OSLSM trained for " +
                      $"{I(scoring, "trainingIterations")} iterations on the generated set ({I(scoring, "imageSize")} pixels), {I(scoring, "episodes")} 1-shot " +
                      $"episodes of fold 0: meanIoU {(100 * Value(scoring, "float32MeanIou")).ToString("0.00", CultureInfo.InvariantCulture)} in fp32, " +
                      $"{(100 * Value(scoring, "bFloat16MeanIou")).ToString("0.00", CultureInfo.InvariantCulture)} in bf16.\n\n");
        }
        if (root.TryGetProperty("memory", out var memory))
        {
            var s = memory.GetProperty("settings");
            md.Append($"## memory\n\n{S(s, "preset")}, query {I(s, "querySize")}, support {I(s, "supportSize")}: resident before {D(memory, "baselineMiB", "0")} MiB, " +
                      $"peak of one training step {D(memory, "trainingStepPeakMiB", "0")} MiB, peak of one 5-shot evaluation {D(memory, "fiveShotEvaluationPeakMiB", "0")} MiB. " +
                      $"Live tensors before / after {I(memory, "steps")} training steps (tiny preset): {I(memory, "liveTensorsBefore")} / {I(memory, "liveTensorsAfter")}; " +
                      $"managed heap {D(memory, "managedMiBBefore", "0.0")} / {D(memory, "managedMiBAfter", "0.0")} MiB.\n\n");
        }
        if (root.TryGetProperty("data", out var data))
        {
            var s = data.GetProperty("settings");
            md.Append($"## data\n\nThe loader (one background thread, {I(data, "imageSize")}-pixel JPEGs decoded, resized to {I(s, "querySize")} / {I(s, "supportSize")}) " +
                      $"prepares {D(data, "loaderEpisodesPerSecond", "0.0")} episodes/s ({D(data, "loaderImagesPerSecond", "0.0")} images/s); training " +
                      $"({S(s, "preset")}) consumes {D(data, "trainingEpisodesPerSecond", "0.00")} episodes/s: the loader is {D(data, "loaderToTraining", "0")}x ahead.\n\n");
        }
        if (root.TryGetProperty("dashboard", out var dashboard))
        {
            var s = dashboard.GetProperty("settings");
            var pages = dashboard.GetProperty("pages").EnumerateArray().ToList();
            md.Append($"## dashboard\n\n{I(s, "runs")} runs x 4 folds x {I(s, "episodesPerFold")} episodes x 1- and 5-shot ({I(dashboard, "classCountRows")} class-count rows), " +
                      $"{I(s, "requests")} requests per page after {I(s, "warmup")} warm-up, whole responses on loopback (goal p95 <= 200 ms).\n\n" +
                      "| page | p50 ms | p95 ms |\n| --- | --- | --- |\n");
            foreach (var p in pages) md.Append($"| {S(p, "path")} | {D(p, "p50Milliseconds", "0.0")} | {D(p, "p95Milliseconds", "0.0")} |\n");
            Grouped("dashboard.png", "Dashboard response time (ms); goal p95 <= 200", pages.Select(p => S(p, "page")).ToArray(),
                ("p50", pages.Select(p => Value(p, "p50Milliseconds")).ToArray()), ("p95", pages.Select(p => Value(p, "p95Milliseconds")).ToArray()), folder, line: 200);
            md.Append("\n![dashboard](dashboard.png)\n\n");
        }
        if (root.TryGetProperty("cluster", out var cluster))
        {
            var s = cluster.GetProperty("settings");
            md.Append($"## cluster\n\n{I(s, "episodes")} episodes (tiny preset, {I(s, "imageSize")} pixels) sent in batches of {I(s, "batchSize")} to episode grains on " +
                      $"{I(s, "scoringSilos")} silos: {D(cluster, "clusterScoringSeconds", "0.00")} s, against {D(cluster, "inProcessScoringSeconds", "0.00")} s for " +
                      $"the same batches in one process on the same kind of torch worker threads, as many in flight (medians of {I(s, "passes")} alternating passes" +
                      (s.TryGetProperty("warmPasses", out var warm) ? $", after {warm.GetInt32()} untimed passes on each side" : "") + "): overhead " +
                      $"{D(cluster, "scoringOverhead", "0.00")} (goal <= 1.10). The solver's own time summed over the episodes: " +
                      $"{D(cluster, "clusterEpisodeSeconds", "0.00")} s in the silos, {D(cluster, "inProcessEpisodeSeconds", "0.00")} s in one process. " +
                      (cluster.TryGetProperty("clusterCpuSeconds", out _)
                          ? $"CPU time during a pass: {D(cluster, "clusterCpuSeconds", "0.00")} s in the silo processes, {D(cluster, "inProcessCpuSeconds", "0.00")} s in the one process. "
                          : "") +
                      $"{I(s, "folds")} folds of {I(s, "trainingIterations")} iterations trained in parallel on {I(s, "folds")} silos took " +
                      $"{D(cluster, "parallelTrainingSeconds", "0.0")} s, one after another on one silo {D(cluster, "sequentialTrainingSeconds", "0.0")} s: " +
                      $"throughput {D(cluster, "throughputRatio", "0.00")}x, parallel efficiency {(100 * Value(cluster, "parallelEfficiency")).ToString("0", CultureInfo.InvariantCulture)}% " +
                      $"(one torch thread per silo; this machine has {I(env, "cores")} cores" +
                      (cluster.TryGetProperty("sequentialTrainingCores", out _)
                          ? $"; cores kept busy: {D(cluster, "parallelTrainingCores", "0.00")} in parallel, {D(cluster, "sequentialTrainingCores", "0.00")} one after another, " +
                            "where each fold's episode loader decodes beside its training thread"
                          : "") + ").\n\n");
        }
        if (root.TryGetProperty("pretraining", out var pretraining)) md.Append(Pretraining(pretraining, folder));
        md.Append("## The paper's Table 2 (Titan X, seconds per episode)\n\nOSLSM 0.19 (1-shot) / 0.21 (5-shot), LogReg 0.66 / 3.50, 1-NN 1.10 / 4.55, " +
                  "fine-tuning 5.56, Siamese 5.65.\n");
        File.WriteAllText(Path.Combine(folder, "benchmarks.md"), md.ToString());
    }

    /// <summary>Figure 3 at this machine's scale: each start's meanIoU curve and its LogReg line, as a table and pretraining.png.</summary>
    private static string Pretraining(JsonElement pretraining, string folder)
    {
        var s = pretraining.GetProperty("settings");
        var starts = pretraining.GetProperty("starts").EnumerateArray().ToList();
        var curves = starts.Select(start => start.GetProperty("curve").EnumerateArray()
            .Select(p => (Iteration: p.GetProperty("iteration").GetInt32(), MeanIou: 100 * p.GetProperty("meanIou").GetDouble())).ToList()).ToList();
        var md = new StringBuilder($"## pretraining (Figure 3)\n\nFold {I(pretraining, "fold")}, {S(s, "preset")} at {I(s, "imageSize")} pixels on {S(pretraining, "data")}: " +
            $"OSLSM trained for {I(s, "iterations")} iterations from the served ImageNet ResNet18 (SHA-256 `{S(pretraining, "weightsSha256")}`) and from scratch, " +
            $"the same optimizer (Adam 1e-4, mean loss), data and seed; every {I(s, "evaluateEvery")} iterations each scores the same {I(s, "episodes")} seeded " +
            $"1-shot test episodes (unseen classes). LogReg on each start's base classifier ({I(s, "baseIterations")} iterations) is the constant line, as " +
            "in the paper. Generated data: not the paper's numbers.\n\n| iteration | " + string.Join(" | ", starts.Select(t => S(t, "name"))) + " |\n|" +
            string.Concat(Enumerable.Repeat(" --- |", starts.Count + 1)) + "\n");
        foreach (var iteration in curves.SelectMany(c => c.Select(p => p.Iteration)).Distinct().Order())
            md.Append($"| {iteration} | " + string.Join(" | ", curves.Select(c => c.FirstOrDefault(p => p.Iteration == iteration) is { Iteration: var i } p && i == iteration
                ? p.MeanIou.ToString("0.0", CultureInfo.InvariantCulture) : "")) + " |\n");
        md.Append("| LogReg | " + string.Join(" | ", starts.Select(t => (100 * Value(t, "logReg")).ToString("0.0", CultureInfo.InvariantCulture))) + " |\n");
        md.Append("| OSLSM training s | " + string.Join(" | ", starts.Select(t => D(t, "trainingSeconds", "0"))) + " |\n\n![pretraining](pretraining.png)\n\n");

        var plot = new Plot();
        var palette = new[] { Colors.SteelBlue, Colors.Orange };
        var last = curves.SelectMany(c => c.Select(p => p.Iteration)).DefaultIfEmpty(1).Max();
        for (var k = 0; k < starts.Count; k++)
        {
            var line = plot.Add.Scatter(curves[k].Select(p => (double)p.Iteration).ToArray(), curves[k].Select(p => p.MeanIou).ToArray(), palette[k % 2]);
            line.LegendText = $"OSLSM, {S(starts[k], "name")}";
            var reference = plot.Add.Line(0, 100 * Value(starts[k], "logReg"), last, 100 * Value(starts[k], "logReg"));
            reference.Color = palette[k % 2];
            reference.LinePattern = LinePattern.Dashed;
            reference.LegendText = $"LogReg, {S(starts[k], "name")}";
        }
        plot.XLabel("training iteration");
        plot.YLabel("meanIoU % (1-shot, unseen classes)");
        plot.Title("meanIoU during training: ImageNet start against scratch (generated data)");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(Path.Combine(folder, "pretraining.png"), 1100, 450);
        return md.ToString();
    }

    /// <summary>Bars per label, one colour per series, an optional dashed goal line.</summary>
    private static void Grouped(string file, string title, string[] labels, (string Name, double[] Values) first, (string Name, double[] Values)? second,
        string folder, double? line)
    {
        var plot = new Plot();
        var series = second is null ? new[] { first } : [first, second.Value];
        var palette = new[] { Colors.SteelBlue, Colors.Orange };
        var width = 0.8 / series.Length;
        for (var k = 0; k < series.Length; k++)
        {
            var bars = series[k].Values.Select((v, i) => new Bar
            {
                Position = i - 0.4 + width * (k + 0.5), Value = double.IsNaN(v) ? 0 : v, Size = width * 0.95, FillColor = palette[k],
            }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[k].Name, FillColor = palette[k] });
        }
        if (line is { } y)
        {
            var goal = plot.Add.HorizontalLine(y, color: Colors.Red);
            goal.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, labels.Length).Select(i => (double)i)], labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(Path.Combine(folder, file), 900, 450);
    }

    private static string S(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";
    private static string I(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetRawText() : "";
    private static double Value(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
    private static string Percent(JsonElement e, string name) => D(e, name, "0%");
    private static string D(JsonElement e, string name, string format) => Value(e, name) is var v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";
}
