using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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
    private static readonly string[] Pending = ["table2", "roofline", "cluster", "dashboard", "memory", "data"];

    public static Command Create()
    {
        var names = new Argument<string[]>("name") { Description = "benchmarks to run (default: all implemented): parity", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var quick = new Option<bool>("--quick") { Description = "small sizes, to check the benchmarks work (figures not representative)" };
        var threads = new Option<int>("--threads") { Description = "torch threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("bench", "Run benchmarks and write JSON") { names, json, quick, threads };
        command.SetAction(async (parse, cancel) =>
        {
            var requested = parse.GetValue(names) is { Length: > 0 } given ? given : ["parity"];
            if (requested.FirstOrDefault(n => n != "parity" && !Pending.Contains(n)) is { } unknown)
                throw new ArgumentException($"bench: unknown benchmark '{unknown}'; known: parity, {string.Join(", ", Pending)}");
            if (requested.FirstOrDefault(Pending.Contains) is { } pending)
            {
                Console.Error.WriteLine($"segcluster bench {pending}: not implemented in this version yet.");
                return 2;
            }
            var threadCount = parse.GetValue(threads);
            var settings = parse.GetValue(quick) ? ParityBenchmark.Quick(threadCount) : ParityBenchmark.Full(threadCount);
            var parity = ParityBenchmark.Run(settings, message => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]"));
            Print(parity);
            if (parse.GetValue(json) is { } file)
            {
                await using var stream = file.Create();
                await JsonSerializer.SerializeAsync(stream, new { environment = BenchEnvironment.Describe(threadCount), parity },
                    new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }, cancel);
            }
            return 0;
        });
        return command;
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
