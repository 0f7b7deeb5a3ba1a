using Orleans;

namespace AgentCluster.InternalService;

/// <summary>
/// Trips when the client loses a connection to a gateway. A call in flight through that gateway is not failed by the
/// Orleans client when the connection drops: it would wait out the whole response timeout (30 s by default). A watch
/// cancelled here resumes through another gateway at once; a loss that did not concern it costs one re-subscription.
/// </summary>
public sealed class GatewayLoss
{
    private CancellationTokenSource current = new();

    /// <summary>Cancelled at the next loss of a gateway connection.</summary>
    public CancellationToken Next => Volatile.Read(ref current).Token;

    /// <summary>For <c>IClientBuilder.AddGatewayCountChangedHandler</c>.</summary>
    public void OnGatewayCountChanged(object? sender, GatewayCountChangedEventArgs e)
    {
        if (e.NumberOfConnectedGateways >= e.PreviousNumberOfConnectedGateways) return;
        // Not disposed: a watch may be linking to its token right now (a source with no timer holds nothing to free).
        Interlocked.Exchange(ref current, new CancellationTokenSource()).Cancel();
    }
}
