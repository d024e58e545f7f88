using System.CommandLine;
using SegCluster.Storage;

namespace SegCluster.Silo.Commands;

/// <summary>`segcluster migrate`: applies the schema (./segcluster runs it before silos start; k8s runs it as a Job).</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply the database schema (Orleans ADO.NET tables and SegCluster results); safe to run twice");
        command.SetAction(_ =>
        {
            var outcome = SchemaMigrator.Apply(ClusterSettings.ConnectionString());
            Console.WriteLine(outcome.AppliedScripts.Count == 0
                ? "schema up to date"
                : $"applied: {string.Join(", ", outcome.AppliedScripts)}");
            return 0;
        });
        return command;
    }
}
