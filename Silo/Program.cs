using System.CommandLine;
using SegCluster.Silo.Commands;

var root = new RootCommand("SegCluster: one-shot semantic segmentation (Shaban et al., BMVC 2017) on an Orleans cluster")
{
    SiloCommand.Create(),
    MigrateCommand.Create(),
    DemoCommand.Create(),
};
foreach (var pending in PendingCommands.Create())
    root.Subcommands.Add(pending);
return await root.Parse(args).InvokeAsync();
