namespace AgentCluster.Agent;

/// <summary>
/// Remembers when an orchestrator last answered and ends the agent once none has for the orphan timeout. A
/// timer of its own rather than a check in the retry loop, so that a call hanging on a black-holed node
/// cannot postpone it.
/// </summary>
internal sealed class OrphanWatch(TimeSpan timeout, TimeProvider time)
{
    private long lastAnswered = time.GetTimestamp();

    public TimeSpan Timeout => timeout;

    public TimeSpan Silence => time.GetElapsedTime(Interlocked.Read(ref lastAnswered));

    public void Answered() => Interlocked.Exchange(ref lastAnswered, time.GetTimestamp());

    /// <exception cref="AgentExit">Exit code 3 once the silence reaches the timeout.</exception>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var silence = Silence;
            if (silence >= timeout) throw AgentExit.Orphaned(silence);
            await Task.Delay(timeout - silence, time, cancellationToken);
        }
    }
}
