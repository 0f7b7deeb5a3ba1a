namespace AgentCluster.Agent;

/// <summary>
/// Tells the session the agent is alive when it has had nothing else to say: a heartbeat goes out only after
/// an interval without any successful push or heartbeat, so a busy agent sends none.
/// </summary>
internal sealed class Heartbeats(IOrchestrator orchestrator, TimeSpan interval, TimeProvider time)
{
    private long lastSent = time.GetTimestamp();

    /// <summary>Something reached the session just now; that counts as a heartbeat.</summary>
    public void Sent() => Interlocked.Exchange(ref lastSent, time.GetTimestamp());

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var due = interval - time.GetElapsedTime(Interlocked.Read(ref lastSent));
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, time, cancellationToken);
                continue;
            }
            await orchestrator.HeartbeatAsync(cancellationToken);
            Sent();
        }
    }
}
