using System.Net;
using System.Net.Sockets;

namespace SegCluster.Silo.Tests;

public sealed class LocalClusterTests
{
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
