using System.Net;
using System.Net.Sockets;

namespace SegCluster.Tests;

/// <summary>Free TCP ports on loopback for servers that tests start.</summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
