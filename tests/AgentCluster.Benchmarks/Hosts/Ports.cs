using System.Net;
using System.Net.Sockets;

namespace AgentCluster.Benchmarks.Hosts;

public static class Ports
{
    /// <summary>A loopback port free at the moment of asking.</summary>
    public static int FreeLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
