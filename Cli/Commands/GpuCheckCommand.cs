using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegCluster.Learning.Devices;
using SegCluster.Bench;
using Spectre.Console;
using TorchSharp;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster gpu-check [--devices cuda:0 ...] [--json FILE]`: OSLSM training steps and scored episodes on each GPU
/// against the CPU (<see cref="GpuCheck"/>); exit 0 when every device matches, 1 on a mismatch, 2 where there is no
/// CUDA device. `--devices cpu` runs the same comparison CPU against CPU (a check of the check).
/// </summary>
public static class GpuCheckCommand
{
    public const int NoCudaDevice = 2;

    public static Command Create()
    {
        var devices = new Option<string[]>("--devices") { Description = "devices to check (default: every CUDA device torch sees)", AllowMultipleArgumentsPerToken = true };
        var defaults = GpuCheck.Settings.Paper(Environment.ProcessorCount);
        var preset = new Option<string>("--preset") { Description = "network preset", DefaultValueFactory = _ => defaults.Preset };
        var querySize = new Option<int>("--query-size") { Description = "query side in pixels", DefaultValueFactory = _ => defaults.QuerySize };
        var supportSize = new Option<int>("--support-size") { Description = "support side in pixels", DefaultValueFactory = _ => defaults.SupportSize };
        var steps = new Option<int>("--steps") { Description = "training steps compared", DefaultValueFactory = _ => defaults.Steps };
        var episodes = new Option<int>("--episodes") { Description = "scored episodes compared", DefaultValueFactory = _ => defaults.Episodes };
        var threads = new Option<int>("--threads") { Description = "torch threads of the CPU reference", DefaultValueFactory = _ => defaults.Threads };
        var json = new Option<FileInfo?>("--json") { Description = "write the comparison to this file" };
        var command = new Command("gpu-check", "Train and score on each GPU and on the CPU, compare within stated tolerances")
        {
            devices, preset, querySize, supportSize, steps, episodes, threads, json,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var slots = new List<DeviceSlot>();
            if (parse.GetValue(devices) is { Length: > 0 } named)
                foreach (var text in named.SelectMany(d => d.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)))
                {
                    if (!DeviceSlot.TryParse(text, out var slot, out var error)) throw new ArgumentException($"--devices: device {error}");
                    if (TorchDevices.Unavailable(slot) is { } reason) return NoCuda($"{slot}: {reason}");
                    slots.Add(slot);
                }
            else if (TorchDevices.Unavailable(DeviceSlot.Parse("cuda:0")) is { } reason) return NoCuda(reason);
            else slots.AddRange(Enumerable.Range(0, torch.cuda.device_count()).Select(i => DeviceSlot.Parse($"cuda:{i}")));

            var settings = new GpuCheck.Settings(parse.GetValue(preset)!, parse.GetValue(querySize), parse.GetValue(supportSize), parse.GetValue(steps),
                parse.GetValue(episodes), parse.GetValue(threads));
            var result = GpuCheck.Run(settings, slots, new GpuCheck.Tolerance(), m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
            Print(result);
            if (parse.GetValue(json) is { } file)
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(result,
                    new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }), cancel);
            return result.Passed ? 0 : 1;
        });
        return command;
    }

    private static int NoCuda(string reason)
    {
        Console.Error.WriteLine($"gpu-check: no CUDA device: {reason}");
        return NoCudaDevice;
    }

    private static void Print(GpuCheck.Result r)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var t = r.Tolerance;
        var table = new Table().Title($"gpu-check: {r.Settings.Steps} {r.Settings.Preset} steps at {r.Settings.QuerySize}/{r.Settings.SupportSize}, " +
                                      $"{r.Settings.Episodes} episodes, against the CPU (CUDA {r.Cuda}, cuDNN {r.Cudnn})");
        foreach (var column in new[] { "device", "name", "step s", "episode s", "memory peak MiB", "loss rel. diff", "weight rel. diff", "mask agreement", "checkpoint", "result" })
            table.AddColumn(column);
        table.AddRow("cpu (reference)", "", F(r.ReferenceMedianStepSeconds, "0.000"), F(r.ReferenceMedianEpisodeSeconds, "0.000"), "", "", "", "", "", "");
        foreach (var d in r.Devices)
            table.AddRow(d.Device, Markup.Escape(d.Name), F(d.MedianStepSeconds, "0.000"), F(d.MedianEpisodeSeconds, "0.000"),
                d.MemoryPeakBytes is { } bytes ? F(bytes / 1048576.0, "0") : "n/a", F(d.MaxLossRelativeDifference, "0.0e0"),
                F(d.MaxWeightRelativeDifference, "0.0e0"), F(d.MaskAgreement, "0.0000"), d.CheckpointRoundTrip ? "same weights" : "DIFFERENT",
                d.Passed ? "[green]pass[/]" : "[red]MISMATCH[/]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"tolerance: loss within {t.LossRelative:0e0} relative per step, weights within {t.WeightRelative:0e0} of the " +
                                             $"largest weight, masks equal on at least {t.MaskAgreement:P0} of the pixels; step and episode times are medians"));
        AnsiConsole.MarkupLine(r.Passed ? "gpu-check: [green]every device matches the CPU[/]" : "gpu-check: [red]a device does not match the CPU[/]");
    }
}
