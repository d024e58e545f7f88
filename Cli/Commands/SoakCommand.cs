using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using SegCluster.Bench.Reliability;
using Spectre.Console;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster soak [--quick] [--faults N] [--seed S] --json FILE`: a run under a seeded schedule of faults against the
/// same run undisturbed (<see cref="Soak"/>); exit 0 only when every check finds them equal.
/// </summary>
public static class SoakCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "a small cluster and run with 3 faults (a few minutes)" };
        var faults = new Option<int?>("--faults") { Description = "faults to inject (default: 3 with --quick, 10 without)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the fault schedule and of the run", DefaultValueFactory = _ => 1 };
        var json = new Option<FileInfo?>("--json") { Description = "write the schedule and the comparison to this file" };
        var command = new Command("soak", "Run a small run undisturbed and under repeated faults, and compare every number") { quick, faults, seed, json };
        command.SetAction(async (parse, cancel) =>
        {
            var isQuick = parse.GetValue(quick);
            var count = parse.GetValue(faults) ?? (isQuick ? 3 : 10);
            if (count is < 1 or > 50) throw new ArgumentException($"--faults: 1..50, not {count}");
            var settings = Soak.Settings.For(isQuick, count, parse.GetValue(seed));
            var result = await Soak.RunAsync(settings, m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"), cancel);
            Print(result);
            if (parse.GetValue(json) is { } file)
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(result, new JsonSerializerOptions
                {
                    WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new JsonStringEnumConverter() },
                }), cancel);
            return result.Equal ? 0 : 1;
        });
        return command;
    }

    private static void Print(Soak.Result r)
    {
        var schedule = new Table().Title($"soak: {r.Faults.Count} faults (seed {r.Settings.Seed}), {r.Injected} struck");
        foreach (var column in new[] { "#", "fault", "at progress", "at s", "what" }) schedule.AddColumn(column);
        foreach (var f in r.Faults)
            schedule.AddRow(f.Fault.Index.ToString(), f.Fault.Kind.ToString(), $"{f.Progress:P0}", f.AtSeconds is { } s ? $"{s:F0}" : "", Markup.Escape(f.Target));
        AnsiConsole.Write(schedule);
        var checks = new Table().Title($"{r.DisturbedRun} against {r.UndisturbedRun}");
        foreach (var column in new[] { "check", "result", "detail" }) checks.AddColumn(column);
        foreach (var c in r.Checks) checks.AddRow(c.Name, c.Equal ? "[green]equal[/]" : "[red]DIFFERENT[/]", Markup.Escape(c.Detail));
        AnsiConsole.Write(checks);
        AnsiConsole.MarkupLine(r.Equal ? "soak: [green]equal[/] to the undisturbed run" : "soak: [red]not equal[/] to the undisturbed run");
    }
}
