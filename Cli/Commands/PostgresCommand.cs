using System.CommandLine;
using SegCluster.Storage;

namespace SegCluster.Cli.Commands;

/// <summary>
/// `segcluster postgres acquire|release --holder PID`: the project's local PostgreSQL (under SEGCLUSTER_HOME/pg) for a
/// holder process, as ./segcluster uses it around each command: acquire creates and starts the server if needed and
/// prints its connection string; release stops it once no live holder is left.
/// </summary>
public static class PostgresCommand
{
    public static Command Create()
    {
        var command = new Command("postgres", "The project's local PostgreSQL server, shared by the processes that hold it");
        command.Subcommands.Add(Holding("acquire", "Register a holder; start the server if needed; print its connection string",
            async (home, port, holder) => Console.WriteLine((await LocalPostgres.AcquireAsync(home, port, holder, Console.Error.WriteLine)).ConnectionString)));
        command.Subcommands.Add(Holding("release", "Unregister a holder; stop the server once no live holder is left",
            LocalPostgres.ReleaseAsync));
        return command;
    }

    private static Command Holding(string name, string description, Func<string, int, int, Task> action)
    {
        var holder = new Option<int>("--holder") { Description = "the process id holding the server", Required = true };
        var command = new Command(name, description) { holder };
        command.SetAction(async (parse, _) =>
        {
            await action(LocalPostgres.ProjectHome(), LocalPostgres.ProjectPort(), parse.GetValue(holder));
            return 0;
        });
        return command;
    }
}
