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
            return await RunAndReportAsync(client.Client, connectionString, config, parse.GetValue(options.TrainSeeds), parse.GetValue(json)?.FullName,
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

    /// <summary>
    /// Starts the run (under several training seeds: a group of runs, in parallel on the cluster), follows it and
    /// reports (a group's tables pool its runs); exit code 0 only when every fold of every run finished.
    /// </summary>
    public static async Task<int> RunAndReportAsync(IClusterClient client, string connectionString, RunConfig config, int trainSeeds, string? jsonPath,
        string dataLabel, bool detach, bool longForm, CancellationToken cancel)
    {
        var runs = RunSettings.TrainingSeeds(config, trainSeeds);
        var group = runs.Count > 1 ? config.RunId : null;
        foreach (var run in runs)
        {
            await new RunClient(client).StartAsync(run, cancel, group);
            Console.WriteLine($"run {run.RunId} started" + (group is null ? "" : $" (group {group}, seed {run.Seed})"));
        }
        if (detach) return 0;
        var statuses = new List<RunStatus>();
        foreach (var run in runs) statuses.Add(await RunFollower.FollowAsync(client, run.RunId, cancel));
        var store = new ResultsStore(connectionString);
        var report = group is null ? await RunReport.LoadAsync(store, config.RunId, cancel)
            : await RunReport.LoadGroupAsync(store, group, [.. runs.Select(r => r.RunId)], cancel);
        ReportPrinter.Print(report, dataLabel, longForm);
        if (jsonPath is not null) await ReportPrinter.WriteJsonAsync(jsonPath, report, dataLabel, cancel);
        foreach (var (status, fold) in statuses.SelectMany(s => s.Folds.Where(f => f.State != FoldState.Done).Select(f => (s, f))))
            Console.Error.WriteLine($"run {status.RunId} fold {fold.Fold}: {fold.State.Name()} {fold.Error}");
        return statuses.All(s => s.State == RunState.Done) ? 0 : 1;
    }
}
