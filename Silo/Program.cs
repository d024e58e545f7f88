using System.CommandLine;
using SegCluster.Learning.Data;
using SegCluster.Silo.Commands;

var root = new RootCommand("SegCluster: one-shot semantic segmentation (Shaban et al., BMVC 2017) on an Orleans cluster")
{
    SiloCommand.Create(),
    MigrateCommand.Create(),
    DemoCommand.Create(),
    DataCommand.Create(),
    LaunchCommand.Create(),
};
foreach (var pending in PendingCommands.Create())
    root.Subcommands.Add(pending);

// Bad input ends with one line naming the file or argument and the reason, and a non-zero exit code.
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is DataFileException or ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
