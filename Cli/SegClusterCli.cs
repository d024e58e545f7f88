using System.CommandLine;
using SegCluster.Cli.Commands;
using SegCluster.Silo;

namespace SegCluster.Cli;

/// <summary>The `segcluster` command line (also parsed by the deployment tests to check the k8s manifests' args).</summary>
public static class SegClusterCli
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
            GpuCheckCommand.Create(),
            SoakCommand.Create(),
            PostgresCommand.Create(),
            PredictCommand.Create(),
            ExportCommand.Create(),
        };
        return root;
    }

    /// <summary>
    /// How the commands run: errors reach Program's handler; on SIGTERM or Ctrl+C a command's token is cancelled and
    /// the process waits for it to finish longer than a silo takes to leave the cluster (System.CommandLine's default,
    /// 2 seconds, ended silos before they marked themselves dead, so the next client could be sent to their gateways).
    /// </summary>
    public static InvocationConfiguration Invocation() => new()
    {
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = ProcessTerminationTimeout,
    };

    public static readonly TimeSpan ProcessTerminationTimeout = SiloHostBuilder.ShutdownTimeout + TimeSpan.FromSeconds(10);
}
