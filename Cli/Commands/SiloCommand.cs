using SegCluster.Client;
using System.CommandLine;
using Microsoft.Extensions.Hosting;
using SegCluster.Grains;
using SegCluster.Storage;
using SegCluster.Silo;

namespace SegCluster.Cli.Commands;

/// <summary>`segcluster silo`: runs one silo until SIGTERM or Ctrl+C.</summary>
public static class SiloCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "silo name", DefaultValueFactory = _ => Environment.MachineName };
        var port = new Option<int>("--port") { Description = "silo-to-silo port", DefaultValueFactory = _ => ClusterSettings.DefaultSiloPort };
        var gateway = new Option<int>("--gateway") { Description = "client gateway port", DefaultValueFactory = _ => ClusterSettings.DefaultGatewayPort };
        var advertise = new Option<string?>("--advertise") { Description = "address other silos reach this one at (default loopback; k8s: the pod IP)" };
        var devices = new Option<string[]>("--devices") { Description = "device slots for fold training, e.g. cuda:0 or cpu:0", DefaultValueFactory = _ => ["cpu:0"], AllowMultipleArgumentsPerToken = true };
        var scoring = new Option<string>("--scoring-device") { Description = "device the silo's episode grains score on (cpu or cuda:N; default: its first device slot)", DefaultValueFactory = _ => "" };
        var threads = new Option<int>("--torch-threads") { Description = "torch intra-op threads", DefaultValueFactory = _ => 1 };
        var checkpoints = new Option<DirectoryInfo>("--checkpoints") { Description = "checkpoint folder (the same path on every silo)", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(".segcluster", "checkpoints")) };
        var dataRoots = new Option<DirectoryInfo[]>("--data-root") { Description = "folder runs may read data and weights from (repeatable); none: any", AllowMultipleArgumentsPerToken = true };
        var fastFailure = new Option<bool>("--fast-failure-detection") { Description = "declare a dead silo within seconds (localhost clusters)" };
        var command = new Command("silo", "Run one silo of the cluster (ADO.NET clustering on PostgreSQL)") { name, port, gateway, advertise, devices, scoring, threads, checkpoints, dataRoots, fastFailure };
        command.SetAction(async (parse, cancel) =>
        {
            var connectionString = ClusterSettings.ConnectionString();
            using var host = SiloHostBuilder.Build(
                connectionString,
                new SiloHostBuilder.Endpoints(parse.GetValue(name)!, parse.GetValue(port), parse.GetValue(gateway), parse.GetValue(advertise),
                    parse.GetValue(fastFailure)),
                new SiloSettings
                {
                    // One token may list several ("cuda:0,cuda:1"), as a k8s $(VAR) expands to a single argument.
                    Devices = [.. parse.GetValue(devices)!.SelectMany(d => d.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))],
                    ScoringDevice = parse.GetValue(scoring)!,
                    TorchThreads = parse.GetValue(threads),
                    CheckpointRoot = parse.GetValue(checkpoints)!.FullName,
                    DataRoots = [.. (parse.GetValue(dataRoots) ?? []).Select(d => d.FullName)],
                });
            await host.RunAsync(cancel);
            return 0;
        });
        return command;
    }
}
