using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegCluster.Learning.Evaluation;
using SegCluster.Bench;
using Spectre.Console;
using SegCluster.Experiment;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster bench [NAME...] --json FILE [--quick]`: measured benchmarks (warm-up, repetitions, medians; ratios
/// measured side by side in one run). Benchmarks are not tests: nothing here asserts a time.
/// </summary>
public static class BenchCommand
{
    /// <summary>In the order they run: cluster and memory first, while this process is fresh, because they measure it
    /// (its scoring against fresh silos', its resident memory); after the VGG-16 benchmarks this process scored
    /// a sixth faster than in a fresh one, which skewed the cluster's overhead ratio.</summary>
    private static readonly string[] Implemented = ["cluster", "memory", "parity", "table2", "roofline", "data", "dashboard", "pretraining"];

    public static Command Create()
    {
        var names = new Argument<string[]>("name")
        {
            Description = $"benchmarks to run (default: all): {string.Join(", ", Implemented)}", Arity = ArgumentArity.ZeroOrMore,
        };
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var quick = new Option<bool>("--quick") { Description = "small sizes, to check the benchmarks work (figures not representative)" };
        var threads = new Option<int>("--threads") { Description = "torch threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var presets = new Option<string[]>("--presets")
        {
            Description = "table2: presets to time (tiny at 128x128, vgg16-fcn32s at 500x500); --quick: tiny only",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["tiny", "vgg16-fcn32s"],
        };
        var report = new Option<DirectoryInfo?>("--report") { Description = "write benchmarks.md and its plots into this folder (e.g. docs)" };
        var from = new Option<FileInfo?>("--from") { Description = "with --report: render a saved results file instead of running benchmarks" };
        var command = new Command("bench", "Run benchmarks and write JSON") { names, json, quick, threads, presets, report, from };
        command.SetAction(async (parse, cancel) =>
        {
            if (parse.GetValue(from) is { } saved)
            {
                var folder = parse.GetValue(report) ?? throw new ArgumentException("--from: needs --report FOLDER");
                BenchReport.Write(saved.FullName, folder.FullName);
                Console.WriteLine($"wrote {Path.Combine(folder.FullName, "benchmarks.md")}");
                return 0;
            }
            var requested = parse.GetValue(names) is { Length: > 0 } given ? given : Implemented;
            if (requested.FirstOrDefault(n => !Implemented.Contains(n)) is { } unknown)
                throw new ArgumentException($"bench: unknown benchmark '{unknown}'; known: {string.Join(", ", Implemented)}");
            var threadCount = parse.GetValue(threads);
            var isQuick = parse.GetValue(quick);
            void Log(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
            var model = ModelSettings.For(isQuick, threadCount);
            var results = new Dictionary<string, object> { ["environment"] = BenchEnvironment.Describe(threadCount) };
            foreach (var name in Implemented.Where(requested.Contains))
            {
                object result = name switch
                {
                    "parity" => Print(ParityBenchmark.Run(isQuick ? ParityBenchmark.Quick(threadCount) : ParityBenchmark.Full(threadCount), Log)),
                    "table2" => (isQuick ? ["tiny"] : parse.GetValue(presets)!).Select(preset => Print(Table2Benchmark.Run(preset switch
                    {
                        "tiny" => Table2Benchmark.Tiny(threadCount, isQuick),
                        "vgg16-fcn32s" => Table2Benchmark.Vgg16(threadCount, isQuick),
                        _ => throw new ArgumentException($"--presets: tiny or vgg16-fcn32s, not '{preset}'"),
                    }, Log))).ToList(),
                    "roofline" => Print(RooflineBenchmark.Run(model, isQuick, Log)),
                    "memory" => Print(MemoryBenchmark.Run(model, isQuick ? 20 : 100, Log)),
                    "data" => Print(DataBenchmark.Run(model, isQuick, Log)),
                    "dashboard" => Print(await DashboardBenchmark.RunAsync(DashboardBenchmark.For(isQuick), Log, cancel)),
                    "cluster" => Print(await ClusterBenchmark.RunAsync(ClusterBenchmark.For(isQuick), Log, cancel)),
                    "pretraining" => Print(PretrainingBenchmark.Run(PretrainingBenchmark.For(isQuick, threadCount), Log)),
                    _ => throw new InvalidOperationException(name),
                };
                results[name] = result;
            }
            var file = parse.GetValue(json)?.FullName ?? Path.Combine(Path.GetTempPath(), $"segcluster-bench-{Guid.NewGuid():N}.json");
            await using (var stream = File.Create(file))
                await JsonSerializer.SerializeAsync(stream, results, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }, cancel);
            if (parse.GetValue(report) is { } reportFolder) BenchReport.Write(file, reportFolder.FullName);
            return 0;
        });
        return command;
    }

    private static string F(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";

    private static void Write(string title, string[] columns, IEnumerable<string[]> rows, string? summary = null)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns(columns);
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        if (summary is not null) AnsiConsole.MarkupLine(Markup.Escape(summary));
    }

    private static RooflineBenchmark.Result Print(RooflineBenchmark.Result r)
    {
        var s = r.Settings;
        Write($"roofline: OSLSM forward, {s.Preset}, query {s.QuerySize}, support {s.SupportSize}, {s.Threads} thread(s), {BenchEnvironment.Cpu}; " +
              $"fp32 matmul peak {F(r.Peak.MatmulGigaFlopsPerSecond, "0.0")} GFLOP/s, 3x3 convolution {F(r.Peak.ConvolutionGigaFlopsPerSecond, "0.0")} GFLOP/s",
            ["shots", "GFLOP", "median s", "GFLOP/s", "share of matmul peak", "share of convolution rate", "bf16 s", "bf16 speed-up", "bf16/fp32 mask IoU"],
            r.Forwards.Select(f => new[] { f.Shots.ToString(CultureInfo.InvariantCulture), F(f.GigaFlops, "0.0"), F(f.MedianSeconds, "0.000"),
                F(f.AchievedGigaFlopsPerSecond, "0.0"), F(100 * f.ShareOfMatmulPeak, "0") + "%", F(100 * f.ShareOfConvolutionRate, "0") + "%",
                F(f.BFloat16MedianSeconds, "0.000"), F(f.BFloat16SpeedUp, "0.00") + "x", F(f.BFloat16MaskAgreement, "0.000") }),
            $"goal: >= 75% of the fp32 matmul peak; CPU has native bf16: {(r.CpuHasBFloat16 ? "yes" : "no")}; trained {r.Scoring.Preset} OSLSM " +
            $"({r.Scoring.TrainingIterations} iterations), {r.Scoring.Episodes} episodes: meanIoU {F(100 * r.Scoring.Float32MeanIou, "0.00")} in fp32, " +
            $"{F(100 * r.Scoring.BFloat16MeanIou, "0.00")} in bf16");
        return r;
    }

    private static PretrainingBenchmark.Result Print(PretrainingBenchmark.Result r)
    {
        var iterations = r.Starts.SelectMany(s => s.Curve.Select(p => p.Iteration)).Distinct().Order().ToList();
        Write($"pretraining: fold {r.Fold}, {r.Settings.Preset} at {r.Settings.ImageSize}, {r.Data}; meanIoU % of {r.Settings.Episodes} 1-shot test episodes",
            ["iteration", .. r.Starts.Select(s => s.Name)],
            [.. iterations.Select(i => new[] { i.ToString(CultureInfo.InvariantCulture) }
                .Concat(r.Starts.Select(s => F(100 * s.Curve.FirstOrDefault(p => p.Iteration == i)?.MeanIou, "0.0"))).ToArray()),
             ["LogReg", .. r.Starts.Select(s => F(100 * s.LogReg, "0.0"))], ["OSLSM training s", .. r.Starts.Select(s => F(s.TrainingSeconds, "0"))]],
            $"weights: SHA-256 {r.WeightsSha256}; generated data, not the paper's numbers");
        return r;
    }

    private static MemoryBenchmark.Result Print(MemoryBenchmark.Result r)
    {
        Write($"memory: {r.Settings.Preset}, query {r.Settings.QuerySize}, support {r.Settings.SupportSize}", ["measure", "value"],
        [
            ["resident before (MiB)", F(r.BaselineMiB, "0")],
            ["peak of one training step (MiB)", F(r.TrainingStepPeakMiB, "0")],
            ["peak of one 5-shot evaluation (MiB)", F(r.FiveShotEvaluationPeakMiB, "0")],
            [$"live tensors before / after {r.Steps} steps", $"{r.LiveTensorsBefore} / {r.LiveTensorsAfter}"],
            [$"managed heap before / after {r.Steps} steps (MiB)", $"{F(r.ManagedMiBBefore, "0.0")} / {F(r.ManagedMiBAfter, "0.0")}"],
        ], r.LiveTensorsAfter > r.LiveTensorsBefore ? "live tensors grew: a leak" : "no tensor growth");
        return r;
    }

    private static DataBenchmark.Result Print(DataBenchmark.Result r)
    {
        Write($"data: loader vs training, {r.Settings.Preset}, query {r.Settings.QuerySize}, {r.ImageSize}-pixel JPEGs", ["measure", "value"],
        [
            ["loader episodes/s (1 thread)", F(r.LoaderEpisodesPerSecond, "0.0")],
            ["loader images/s", F(r.LoaderImagesPerSecond, "0.0")],
            ["training episodes/s", F(r.TrainingEpisodesPerSecond, "0.00")],
            ["loader / training", F(r.LoaderToTraining, "0.0")],
        ], r.LoaderToTraining > 1 ? "the loader keeps ahead of training" : "the loader is the bottleneck");
        return r;
    }

    private static DashboardBenchmark.Result Print(DashboardBenchmark.Result r)
    {
        Write($"dashboard: {r.Settings.Runs} runs x 4 folds x {r.Settings.EpisodesPerFold} episodes ({r.ClassCountRows} class-count rows), {r.Settings.Requests} requests",
            ["page", "path", "p50 ms", "p95 ms", "bytes"],
            r.Pages.Select(p => new[] { p.Page, p.Path, F(p.P50Milliseconds, "0.0"), F(p.P95Milliseconds, "0.0"), p.Bytes.ToString(CultureInfo.InvariantCulture) }),
            "goal: p95 <= 200 ms");
        return r;
    }

    private static ClusterBenchmark.Result Print(ClusterBenchmark.Result r)
    {
        Write($"cluster: {r.Settings.Episodes} episodes on {r.Settings.ScoringSilos} silos vs in one process; {r.Settings.Folds} folds in parallel vs in sequence",
            ["measure", "value"],
        [
            ["scoring through episode grains (s)", F(r.ClusterScoringSeconds, "0.00")],
            ["same episodes in one process, same workers (s)", F(r.InProcessScoringSeconds, "0.00")],
            ["overhead ratio", F(r.ScoringOverhead, "0.00")],
            ["solver seconds summed over episodes, grains / one process", $"{F(r.ClusterEpisodeSeconds, "0.00")} / {F(r.InProcessEpisodeSeconds, "0.00")}"],
            ["CPU seconds of the silos / of the one process", $"{F(r.ClusterCpuSeconds, "0.00")} / {F(r.InProcessCpuSeconds, "0.00")}"],
            [$"{r.Settings.Folds} folds trained in parallel on {r.Settings.Folds} silos (s)", F(r.ParallelTrainingSeconds, "0.0")],
            [$"{r.Settings.Folds} folds trained one after another on 1 silo (s)", F(r.SequentialTrainingSeconds, "0.0")],
            ["throughput ratio", F(r.ThroughputRatio, "0.00")],
            ["parallel efficiency", F(100 * r.ParallelEfficiency, "0") + "%"],
            ["cores kept busy, parallel / one after another", $"{F(r.ParallelTrainingCores, "0.00")} / {F(r.SequentialTrainingCores, "0.00")}"],
        ], $"goal: overhead <= 1.10; torch threads per silo: 1; cores: {Environment.ProcessorCount}");
        return r;
    }

    private static Table2Benchmark.Result Print(Table2Benchmark.Result r)
    {
        var s = r.Settings;
        var table = new Table().Title($"table2: seconds per episode, {s.Preset}, query {s.QuerySize}, {s.Threads} thread(s), {BenchEnvironment.Cpu}, " +
                                      $"fp32 matmul peak {F(r.Peak.MatmulGigaFlopsPerSecond, "0.0")} GFLOP/s, 3x3 convolution {F(r.Peak.ConvolutionGigaFlopsPerSecond, "0.0")} GFLOP/s")
            .AddColumns("method", "shots", "median s", "ratio to oslsm", "paper s", "paper ratio", "GFLOP", "FLOP-bound s", "x limit", "x conv limit");
        foreach (var m in r.Methods)
            table.AddRow(Markup.Escape(MethodCatalog.Label(m.Method)), m.Shots.ToString(CultureInfo.InvariantCulture), F(m.MedianSeconds, "0.0000"),
                F(m.RatioToOslsm, "0.00"), F(m.PaperSeconds, "0.00"), F(m.PaperRatioToOslsm, "0.00"), F(m.GigaFlops, "0.000"),
                F(m.LimitSeconds, "0.0000"), F(m.MultipleOfLimit, "0.0"), F(m.MultipleOfConvolutionLimit, "0.0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"OSLSM 5-shot / 1-shot time: [bold]{F(r.OslsmFiveToOneShot, "0.00")}[/] (goal <= 1.3; operations {F(r.OslsmFiveToOneShotOperations, "0.00")}); " +
                               $"methods within 2x of their FLOP-bound limit: {r.Methods.Count(m => m.MultipleOfLimit <= 2)} of {r.Methods.Count} (goal: all), " +
                               $"{r.Methods.Count(m => m.MultipleOfConvolutionLimit <= 2)} against the convolution rate");
        return r;
    }

    private static ParityBenchmark.Result Print(ParityBenchmark.Result r)
    {
        var s = r.Settings;
        var table = new Table().Title($"parity: whole OSLSM episode ({Markup.Escape(r.Episode)}), {s.Preset}, {s.ImageSize}px JPEGs to query {s.QuerySize} " +
                                      $"and support {s.SupportSize}, {s.Shots}-shot, {s.Threads} thread(s), {BenchEnvironment.Cpu}")
            .AddColumns("", "median s", "episodes", "IoU");
        string F(double v, string format = "0.0000") => v.ToString(format, CultureInfo.InvariantCulture);
        table.AddRow("SegCluster (TorchSharp)", F(r.TorchSharpMedian), r.TorchSharpSeconds.Length.ToString(CultureInfo.InvariantCulture), F(r.TorchSharpIou));
        table.AddRow($"PyTorch {Markup.Escape(r.PyTorchVersion)}", F(r.PyTorchMedian), r.PyTorchSeconds.Length.ToString(CultureInfo.InvariantCulture), F(r.PyTorchIou));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"time ratio SegCluster / PyTorch: [bold]{F(r.Ratio, "0.000")}[/] (goal <= 1.05); max relative logit difference " +
                               $"{F(r.MaxRelativeLogitDifference, "0.0e0")} (goal <= 1e-4); network inputs differ by at most {F(r.MaxInputDifference, "0.000")}; " +
                               $"masks agree on {F(100 * r.MaskAgreement, "0.00")}% of the pixels");
        return r;
    }
}
