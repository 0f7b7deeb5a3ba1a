using System.Net;
using System.Net.Sockets;

namespace AgentCluster.Tests.Cli;

/// <summary>
/// A loopback TCP relay to a node that a test can cut: every connection through it dropped at once, as a flaky
/// network or a restarting load balancer drops a long-lived event stream.
/// </summary>
public sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int target;
    private readonly List<TcpClient> open = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int accepted;

    public CuttingProxy(int targetPort)
    {
        target = targetPort;
        listener.Start();
        accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>How many connections it has taken.</summary>
    public int Accepted => Volatile.Read(ref accepted);

    /// <summary>Drops every open connection.</summary>
    public void CutAll()
    {
        lock (open)
        {
            foreach (var client in open) client.Close();
            open.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (OperationCanceledException) { return; }
            Interlocked.Increment(ref accepted);
            var outbound = new TcpClient();
            await outbound.ConnectAsync(IPAddress.Loopback, target);
            lock (open) open.AddRange([inbound, outbound]);
            _ = RelayAsync(inbound, outbound);
        }
    }

    private static async Task RelayAsync(TcpClient a, TcpClient b)
    {
        try
        {
            await Task.WhenAny(a.GetStream().CopyToAsync(b.GetStream()), b.GetStream().CopyToAsync(a.GetStream()));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        a.Close();
        b.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        CutAll();
    }
}
