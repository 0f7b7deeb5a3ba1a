using System.Net;
using System.Text.Json.Nodes;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// <c>GET /pool</c> as an operator reads it (<c>{"shapes":[{"name","image","guest","region","target","ready",
/// "starting","claimed_total"}]}</c>): the machines ready to be claimed, over every shape.
/// </summary>
public static class PoolStatus
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Ready machines over every shape; null when the node has no pool to show (404).</summary>
    public static async Task<int?> ReadyAsync(HttpClient node, CancellationToken cancellationToken)
    {
        using var response = await node.GetAsync("/pool", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        var shapes = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!["shapes"]!.AsArray();
        return shapes.Sum(s => s!["ready"]!.GetValue<int>());
    }

    /// <summary>
    /// Waits until at least <paramref name="target"/> machines are ready or the deadline passes, whichever is first:
    /// the ready count then (the caller says whether it was reached), or null when the node has no pool.
    /// </summary>
    public static async Task<int?> WaitReadyAsync(HttpClient node, int target, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var ready = await ReadyAsync(node, cancellationToken);
        try
        {
            while (ready is { } now && now < target)
            {
                await Task.Delay(Poll, timeout.Token);
                ready = await ReadyAsync(node, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return ready;
    }
}
