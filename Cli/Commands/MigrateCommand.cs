using SegCluster.Client;
using System.CommandLine;
using SegCluster.Storage;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster migrate`: applies the schema (./segcluster runs it before silos start; k8s runs it as a Job).
/// `--wait` applies nothing: it waits until another process (the Job) has made the schema current, so k8s
/// silos and the dashboard start only on a migrated database.
/// </summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var wait = new Option<bool>("--wait") { Description = "apply nothing; wait until the database is reachable and its schema current" };
        var timeout = new Option<int>("--timeout") { Description = "seconds --wait gives up after", DefaultValueFactory = _ => 600 };
        var command = new Command("migrate", "Apply the database schema (Orleans ADO.NET tables and SegCluster results); safe to run twice") { wait, timeout };
        command.SetAction(async (parse, cancel) =>
        {
            var connectionString = ClusterSettings.ConnectionString();
            if (!parse.GetValue(wait))
            {
                var outcome = SchemaMigrator.Apply(connectionString);
                Console.WriteLine(outcome.AppliedScripts.Count == 0 ? "schema up to date" : $"applied: {string.Join(", ", outcome.AppliedScripts)}");
                return 0;
            }
            var deadline = DateTime.UtcNow.AddSeconds(parse.GetValue(timeout));
            while (true)
            {
                string reason;
                try
                {
                    if (SchemaMigrator.IsCurrent(connectionString)) { Console.WriteLine("schema current"); return 0; }
                    reason = "migrations pending";
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    reason = e.Message;
                }
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"database schema not current after {parse.GetValue(timeout)} s: {reason}");
                Console.WriteLine($"waiting for the schema: {reason}");
                await Task.Delay(TimeSpan.FromSeconds(3), cancel);
            }
        });
        return command;
    }
}
