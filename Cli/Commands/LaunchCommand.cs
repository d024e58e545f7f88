using SegCluster.Client;
using System.CommandLine;
using SegCluster.Contracts;
using SegCluster.Storage;
using SegCluster.Experiment;

namespace SegCluster.Cli.Commands;

/// <summary>`segcluster launch`: submits a run to a running cluster, follows it, prints Table 1 and Table 2.</summary>
public static class LaunchCommand
{
    public static Command Create()
    {
        var options = new RunOptions("run", RunSettings.Unresolved);
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var detach = new Option<bool>("--detach") { Description = "submit and return without following" };
        var connectTimeout = ConnectTimeoutOption();
        var longForm = ReportPrinter.LongOption();
        var command = new Command("launch", "Submit a run to a running cluster and follow it") { json, detach, connectTimeout, longForm };
        options.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var config = options.Read(parse);
            // Everything but the paths (the silos', not necessarily this machine's) is checked before connecting.
            RunConfigValidator.Validate(config, [], checkPaths: false);
            var connectionString = ClusterSettings.ConnectionString();
            await using var client = await ClusterClientHost.ConnectWithRetryAsync(connectionString, cancel, TimeSpan.FromSeconds(parse.GetValue(connectTimeout)));
            return await RunAndReportAsync(client.Client, connectionString, config, parse.GetValue(json)?.FullName,
                $"{Path.GetFileName(config.Voc)} data, preset {config.Preset}", parse.GetValue(detach), parse.GetValue(longForm), cancel);
        });
        return command;
    }

    /// <summary>`--connect-timeout`: how long a command that needs the cluster waits for a silo before it says none is reachable.</summary>
    public static Option<int> ConnectTimeoutOption() => new("--connect-timeout")
    {
        Description = "seconds to wait for a silo of the cluster to answer",
        DefaultValueFactory = _ => (int)ClusterClientHost.DefaultConnectTimeout.TotalSeconds,
    };

    /// <summary>Starts the run, follows it and reports; exit code 0 only when every fold finished.</summary>
    public static async Task<int> RunAndReportAsync(IClusterClient client, string connectionString, RunConfig config, string? jsonPath,
        string dataLabel, bool detach, bool longForm, CancellationToken cancel)
    {
        await new RunClient(client).StartAsync(config, cancel);
        Console.WriteLine($"run {config.RunId} started");
        if (detach) return 0;
        var status = await RunFollower.FollowAsync(client, config.RunId, cancel);
        var report = await RunReport.LoadAsync(new ResultsStore(connectionString), config.RunId, cancel);
        ReportPrinter.Print(report, dataLabel, longForm);
        if (jsonPath is not null) await ReportPrinter.WriteJsonAsync(jsonPath, report, dataLabel, cancel);
        foreach (var fold in status.Folds.Where(f => f.State != FoldState.Done))
            Console.Error.WriteLine($"fold {fold.Fold}: {fold.State.Name()} {fold.Error}");
        return status.State == RunState.Done ? 0 : 1;
    }
}
