using SegCluster.Client;
using System.CommandLine;
using SegCluster.Contracts;
using SegCluster.Grains;
using SegCluster.Learning.Data;
using SegCluster.Learning.Models;
using SegCluster.Storage;
using Spectre.Console;
using SegCluster.Experiment;
using SegCluster.Silo;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster demo`: the embedded default end to end. Generates the synthetic PASCAL-format data set, starts a
/// local multi-silo cluster (one CPU device slot each), runs all four folds in parallel (tiny preset, 1- and
/// 5-shot, OSLSM and the trivial references), and prints Table 1 and Table 2.
/// </summary>
public static class DemoCommand
{
    /// <summary>Whose numbers the demo's tables hold (never the paper's).</summary>
    public const string DataLabel = "generated data set (synthetic, not VOC), tiny preset";

    public static Command Create()
    {
        var noWait = new Option<bool>("--no-wait") { Description = "exit when done instead of keeping the cluster up" };
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var silos = new Option<int>("--silos") { Description = "number of local silo processes", DefaultValueFactory = _ => 4 };
        var iterations = new Option<int>("--iterations") { Description = "training iterations per fold", DefaultValueFactory = _ => 6000 };
        var episodes = new Option<int>("--episodes") { Description = "test episodes per fold and shot count", DefaultValueFactory = _ => 500 };
        var longForm = ReportPrinter.LongOption();
        var command = new Command("demo", "Run the embedded default end to end on a local multi-silo cluster") { noWait, json, silos, iterations, episodes, longForm };
        command.SetAction(async (parse, cancel) =>
        {
            var siloCount = parse.GetValue(silos);
            if (siloCount < 1) throw new ArgumentException("--silos must be at least 1");
            var connectionString = ClusterSettings.ConnectionString();
            SchemaMigrator.Apply(connectionString);

            var state = Environment.GetEnvironmentVariable("SEGCLUSTER_HOME") ?? Path.GetFullPath(".segcluster");
            var dataRoot = Path.Combine(state, "data");
            var data = EnsureDemoData(Path.Combine(dataRoot, "generated-s1-n600-64"));
            await using var cluster = LocalCluster.Start(siloCount, connectionString, torchThreads: 1,
                checkpoints: Path.Combine(state, "checkpoints"), dataRoot: dataRoot);
            await using var client = await ClusterClientHost.ConnectWithRetryAsync(connectionString, cancel, beforeRetry: cluster.ThrowIfAnyExited);
            await new RunClient(client.Client).WaitForSilosAsync(siloCount, cancel, cluster.ThrowIfAnyExited);
            AnsiConsole.MarkupLine($"[grey]{siloCount} silos active; data: {Markup.Escape(data.Root)}[/]");

            var config = RunSettings.Demo(RunSettings.NewRunId("demo"), Path.GetDirectoryName(data.Voc)!, Path.GetDirectoryName(data.Sbd)!,
                parse.GetValue(iterations), parse.GetValue(episodes));
            var exit = await LaunchCommand.RunAndReportAsync(client.Client, connectionString, config, 1, parse.GetValue(json)?.FullName,
                DataLabel, detach: false, parse.GetValue(longForm), cancel);
            if (Environment.GetEnvironmentVariable("SEGCLUSTER_DASHBOARD_URL") is { Length: > 0 } url)
                AnsiConsole.MarkupLine($"dashboard: [link]{Markup.Escape(url)}[/] (runs, live folds, Table 1 and 2, gallery, compare; "
                    + $"sign in to launch with the secret in {Markup.Escape(Path.Combine(state, "dashboard-secret"))})");
            if (!parse.GetValue(noWait))
            {
                AnsiConsole.MarkupLine("cluster running; press Ctrl+C to stop");
                try { await Task.Delay(Timeout.Infinite, cancel); } catch (OperationCanceledException) { }
            }
            return exit;
        });
        return command;
    }

    private static SyntheticPascal.Layout EnsureDemoData(string root)
    {
        var layout = new SyntheticPascal.Layout(root);
        var done = Path.Combine(root, ".complete");
        if (File.Exists(done)) return layout;
        AnsiConsole.MarkupLine("[grey]generating the demo data set[/]");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        SyntheticPascal.Generate(root, new SyntheticPascal.Options(Images: 600, Size: 64, Seed: 1));
        File.WriteAllText(done, "");
        return layout;
    }
}
