using System.CommandLine;
using System.Text;
using SegCluster.Client;
using SegCluster.Experiment;
using SegCluster.Storage;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster export`: a stored run's (or a group's) tables as CSV, Markdown and LaTeX and its plots as PNG and SVG
/// into a folder, the same files the dashboard serves (the docs' copies of the demo's plots are made this way).
/// </summary>
public static class ExportCommand
{
    /// <summary>UTF-8 without a byte-order mark, as the dashboard serves the same files.</summary>
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Command Create()
    {
        var run = new Option<string?>("--run") { Description = "the run to export" };
        var group = new Option<string?>("--group") { Description = "or the group of runs trained under several seeds (--train-seeds) to export, pooled" };
        var output = new Option<DirectoryInfo>("--out") { Description = "folder for the files", Required = true };
        var label = new Option<string?>("--label")
        {
            Description = $"whose numbers they are, in the notes and plot titles (default: the data folder and preset; the demo's: '{DemoCommand.DataLabel}')",
        };
        var command = new Command("export", "Write a stored run's tables (CSV, Markdown, LaTeX) and plots (PNG, SVG) to a folder") { run, group, output, label };
        command.SetAction(async (parse, cancel) =>
        {
            var (runId, groupId) = (parse.GetValue(run), parse.GetValue(group));
            if ((runId is null) == (groupId is null)) throw new ArgumentException("--run or --group: give one of them");
            var store = new ResultsStore(ClusterSettings.ConnectionString());
            var (report, record) = await RunReport.LoadRunOrGroupAsync(store, runId ?? groupId!, group: groupId is not null, cancel)
                ?? throw new ArgumentException(runId is not null ? $"--run: no run '{runId}' in the database" : $"--group: no runs in group '{groupId}'");
            var dataLabel = $"{Path.GetFileName(ConfigValue(record, "Voc"))} data, preset {ConfigValue(record, "Preset")}"
                + (groupId is null ? "" : $", {(await store.ReadGroupRunIdsAsync(groupId, cancel)).Count} training seeds");
            if (report.Scores.Count == 0) throw new ArgumentException($"{report.RunId}: no scored batches yet");
            dataLabel = parse.GetValue(label) ?? dataLabel;
            var folder = Directory.CreateDirectory(parse.GetValue(output)!.FullName).FullName;
            var written = 0;
            foreach (var name in ReportTable.Names)
            {
                if (ReportTable.Named(name, report, dataLabel, "the silos that scored it") is not { Rows.Count: > 0 } table) continue;
                await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.csv"), table.ToCsv(), Utf8, cancel);
                await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.md"), table.ToMarkdown(), Utf8, cancel);
                await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.tex"), table.ToLatex(), Utf8, cancel);
                written += 3;
            }
            foreach (var name in ReportPlots.Names(report))
            {
                var plot = ReportPlots.Create(name, report, dataLabel)!;
                await File.WriteAllBytesAsync(Path.Combine(folder, $"{name}.png"), ReportPlots.Png(plot), cancel);
                await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.svg"), ReportPlots.Svg(plot), Utf8, cancel);
                written += 2;
            }
            Console.WriteLine($"{written} files in {folder}");
            return 0;
        });
        return command;
    }

    private static string ConfigValue(RunRecord record, string key)
    {
        using var config = System.Text.Json.JsonDocument.Parse(record.ConfigJson);
        return config.RootElement.TryGetProperty(key, out var value) ? value.ToString() : "";
    }
}
