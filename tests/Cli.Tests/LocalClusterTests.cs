using System.Net;
using System.Net.Sockets;
using SegCluster.Silo;

namespace SegCluster.Cli.Tests;

public sealed class LocalClusterTests
{
    [Fact]
    public async Task A_silo_that_exits_is_reported_with_its_last_output()
    {
        var root = Directory.CreateTempSubdirectory("segcluster-local-cluster-").FullName;
        try
        {
            var port = LocalCluster.FreePortBlock();
            await using var cluster = LocalCluster.Start(1, "Host=127.0.0.1;Port=1", torchThreads: 0, root, root, port, port + 5);
            await cluster.Silos[0].WaitForExitAsync();
            cluster.Silos[0].WaitForExit();   // and its output read to the end
            var error = Assert.Throws<InvalidOperationException>(cluster.ThrowIfAnyExited);
            Assert.Contains("exited with code 1", error.Message);
            Assert.Contains("torch threads must be at least 1", error.Message);
            Assert.Contains(cluster.RecentOutput(0), line => line.Contains("torch threads must be at least 1"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void A_port_block_lies_below_the_ephemeral_range_and_skips_ports_in_use()
    {
        var first = LocalCluster.FreePortBlock();
        Assert.InRange(first, 20000, 32768 - 10);
        // Hold the block's first port: the next blocks never include it.
        var held = new TcpListener(IPAddress.Loopback, first);
        held.Start();
        try
        {
            for (var i = 0; i < 5000; i++)   // 1200 blocks: the held one comes up with probability 98.5%
            {
                var next = LocalCluster.FreePortBlock();
                Assert.False(next <= first && first < next + 10, $"block {next} includes the held port {first}");
            }
        }
        finally { held.Stop(); }
    }
}
