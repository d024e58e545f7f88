using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegCluster.Learning.Evaluation;
using SegCluster.Silo.Benchmarks;
using Spectre.Console;

namespace SegCluster.Silo.Commands;

/// <summary>
/// `segcluster bench [NAME...] --json FILE [--quick]`: measured benchmarks (warm-up, repetitions, medians; ratios
/// measured side by side in one run). Benchmarks are not tests: nothing here asserts a time.
/// </summary>
public static class BenchCommand
{
    /// <summary>Benchmarks of the contract not written yet: asking for one says so and exits 2.</summary>
    private static readonly string[] Pending = ["roofline", "cluster", "dashboard", "memory", "data"];

    private static readonly string[] Implemented = ["parity", "table2"];

    public static Command Create()
    {
        var names = new Argument<string[]>("name") { Description = "benchmarks to run (default: all implemented): parity, table2", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var quick = new Option<bool>("--quick") { Description = "small sizes, to check the benchmarks work (figures not representative)" };
        var threads = new Option<int>("--threads") { Description = "torch threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var presets = new Option<string[]>("--presets")
        {
            Description = "table2: presets to time (tiny at 128x128, vgg16-fcn32s at 500x500); --quick: tiny only",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["tiny", "vgg16-fcn32s"],
        };
        var command = new Command("bench", "Run benchmarks and write JSON") { names, json, quick, threads, presets };
        command.SetAction(async (parse, cancel) =>
        {
            var requested = parse.GetValue(names) is { Length: > 0 } given ? given : Implemented;
            if (requested.FirstOrDefault(n => !Implemented.Contains(n) && !Pending.Contains(n)) is { } unknown)
                throw new ArgumentException($"bench: unknown benchmark '{unknown}'; known: {string.Join(", ", Implemented.Concat(Pending))}");
            if (requested.FirstOrDefault(Pending.Contains) is { } pending)
            {
                Console.Error.WriteLine($"segcluster bench {pending}: not implemented in this version yet.");
                return 2;
            }
            var threadCount = parse.GetValue(threads);
            var isQuick = parse.GetValue(quick);
            void Log(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
            ParityBenchmark.Result? parity = null;
            List<Table2Benchmark.Result>? table2 = null;
            if (requested.Contains("parity"))
            {
                parity = ParityBenchmark.Run(isQuick ? ParityBenchmark.Quick(threadCount) : ParityBenchmark.Full(threadCount), Log);
                Print(parity);
            }
            if (requested.Contains("table2"))
            {
                var chosen = isQuick ? ["tiny"] : parse.GetValue(presets)!;
                table2 = [];
                foreach (var preset in chosen)
                {
                    var settings = preset switch
                    {
                        "tiny" => Table2Benchmark.Tiny(threadCount, isQuick),
                        "vgg16-fcn32s" => Table2Benchmark.Vgg16(threadCount, isQuick),
                        _ => throw new ArgumentException($"--presets: tiny or vgg16-fcn32s, not '{preset}'"),
                    };
                    var result = Table2Benchmark.Run(settings, Log);
                    Print(result);
                    table2.Add(result);
                }
            }
            if (parse.GetValue(json) is { } file)
            {
                await using var stream = file.Create();
                await JsonSerializer.SerializeAsync(stream, new { environment = BenchEnvironment.Describe(threadCount), parity, table2 },
                    new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }, cancel);
            }
            return 0;
        });
        return command;
    }

    private static void Print(Table2Benchmark.Result r)
    {
        var s = r.Settings;
        string F(double? v, string format) => v?.ToString(format, CultureInfo.InvariantCulture) ?? "";
        var table = new Table().Title($"table2: seconds per episode, {s.Preset}, query {s.QuerySize}, {s.Threads} thread(s), {BenchEnvironment.Cpu}, " +
                                      $"fp32 matmul peak {F(r.PeakGigaFlopsPerSecond, "0.0")} GFLOP/s")
            .AddColumns("method", "shots", "median s", "ratio to oslsm", "paper s", "paper ratio", "GFLOP", "FLOP-bound s", "x limit");
        foreach (var m in r.Methods)
            table.AddRow(Markup.Escape(PaperResults.MethodLabel(m.Method)), m.Shots.ToString(CultureInfo.InvariantCulture), F(m.MedianSeconds, "0.0000"),
                F(m.RatioToOslsm, "0.00"), F(m.PaperSeconds, "0.00"), F(m.PaperRatioToOslsm, "0.00"), F(m.GigaFlops, "0.000"),
                F(m.LimitSeconds, "0.0000"), F(m.MultipleOfLimit, "0.0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"OSLSM 5-shot / 1-shot time: [bold]{F(r.OslsmFiveToOneShot, "0.00")}[/] (goal <= 1.3); " +
                               $"methods within 2x of their FLOP-bound limit: {r.Methods.Count(m => m.MultipleOfLimit <= 2)} of {r.Methods.Count} (goal: all)");
    }

    private static void Print(ParityBenchmark.Result r)
    {
        var s = r.Settings;
        var table = new Table().Title($"parity: OSLSM forward, {s.Preset}, query {s.QuerySize}, support {s.SupportSize}, {s.Shots}-shot, " +
                                      $"{s.Threads} thread(s), {BenchEnvironment.Cpu}")
            .AddColumns("", "median s", "runs");
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        table.AddRow("TorchSharp", F(r.TorchSharpMedian), r.TorchSharpSeconds.Length.ToString(CultureInfo.InvariantCulture));
        table.AddRow($"PyTorch {Markup.Escape(r.PyTorchVersion)}", F(r.PyTorchMedian), r.PyTorchSeconds.Length.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"time ratio TorchSharp / PyTorch: [bold]{r.Ratio.ToString("0.000", CultureInfo.InvariantCulture)}[/] (goal <= 1.05); " +
                               $"max relative logit difference {r.MaxRelativeLogitDifference.ToString("0.0e0", CultureInfo.InvariantCulture)} (goal <= 1e-4)");
    }
}
