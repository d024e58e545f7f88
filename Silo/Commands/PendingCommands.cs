using System.CommandLine;

namespace SegCluster.Silo.Commands;

/// <summary>Commands of the contract that later issues implement; until then they say so and fail.</summary>
public static class PendingCommands
{
    private static readonly (string Name, string Description)[] Pending =
    [
        ("bench", "Run benchmarks and write JSON (not implemented yet)"),
    ];

    public static IEnumerable<Command> Create() => Pending.Select(p =>
    {
        var command = new Command(p.Name, p.Description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(_ =>
        {
            Console.Error.WriteLine($"segcluster {p.Name}: not implemented in this version yet.");
            return 2;
        });
        return command;
    });
}
