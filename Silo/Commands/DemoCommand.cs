using System.CommandLine;
using System.Text.Json;
using SegCluster.Contracts;
using SegCluster.Storage;
using Spectre.Console;

namespace SegCluster.Silo.Commands;

/// <summary>`segcluster demo`: migrate, start a local multi-silo cluster, run the embedded default, report.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var noWait = new Option<bool>("--no-wait") { Description = "exit when done instead of keeping the cluster up" };
        var json = new Option<FileInfo?>("--json") { Description = "write the results to this file" };
        var silos = new Option<int>("--silos") { Description = "number of local silo processes", DefaultValueFactory = _ => 4 };
        var command = new Command("demo", "Run the embedded default end to end on a local multi-silo cluster") { noWait, json, silos };
        command.SetAction(async (parse, cancel) =>
        {
            var siloCount = parse.GetValue(silos);
            if (siloCount < 1) throw new ArgumentException("--silos must be at least 1");
            var connectionString = DatabaseSettings.Resolve(null);
            SchemaMigrator.Apply(connectionString);

            await using var cluster = LocalCluster.Start(siloCount, connectionString, torchThreads: 1);
            AnsiConsole.MarkupLine($"[grey]started {siloCount} silo processes[/]");
            await using var client = await ConnectWithRetryAsync(connectionString, cancel);

            var descriptions = new List<SiloDescription>();
            for (var i = 0; i < siloCount; i++)
                descriptions.Add(await client.Client.GetGrain<ISiloInfoGrain>(0).DescribeAsync());
            var table = new Table().AddColumns("silo", "address", "pid", "devices", "torch", "check");
            foreach (var d in descriptions.DistinctBy(d => d.SiloName))
                table.AddRow(d.SiloName, d.Address, d.ProcessId.ToString(), string.Join(",", d.Devices), Markup.Escape(d.TorchBackend), d.TorchCheckSum.ToString("0.###"));
            AnsiConsole.Write(table);

            if (parse.GetValue(json) is { } file)
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(new { silos = descriptions }, new JsonSerializerOptions { WriteIndented = true }), cancel);
            if (!parse.GetValue(noWait))
            {
                AnsiConsole.MarkupLine("cluster running; press Ctrl+C to stop");
                try { await Task.Delay(Timeout.Infinite, cancel); } catch (OperationCanceledException) { }
            }
            return 0;
        });
        return command;
    }

    /// <summary>Silos take a few seconds to join; the client retries until a gateway answers.</summary>
    public static async Task<ClusterClientHost> ConnectWithRetryAsync(string connectionString, CancellationToken cancel, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            try { return await ClusterClientHost.ConnectAsync(connectionString, cancel); }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is not OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            }
        }
    }
}
