using System.CommandLine;
using SegCluster.Silo.Commands;

namespace SegCluster.Silo;

/// <summary>The `segcluster` command line (also parsed by the deployment tests to check the k8s manifests' args).</summary>
public static class Cli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("SegCluster: one-shot semantic segmentation (Shaban et al., BMVC 2017) on an Orleans cluster")
        {
            SiloCommand.Create(),
            MigrateCommand.Create(),
            DemoCommand.Create(),
            DataCommand.Create(),
            LaunchCommand.Create(),
            ReproduceCommand.Create(),
            BenchCommand.Create(),
        };
        return root;
    }
}
