namespace AgentCluster.Agent;

/// <summary>
/// Remembers when an orchestrator last answered and ends the agent once none has for the orphan timeout. A
/// timer of its own rather than a check in the retry loop, so that a call hanging on a black-holed node
/// cannot postpone it. It looks every <see cref="Freezes.Tick"/>, which is also how a freeze is noticed: time spent
/// frozen (a sleeping session's suspended machine) is nobody's silence, so the window starts again at the thaw.
/// </summary>
internal sealed class OrphanWatch(TimeSpan timeout, TimeProvider time)
{
    private long lastAnswered = time.GetTimestamp();

    public TimeSpan Timeout => timeout;

    public Freezes Freezes { get; } = new(time);

    public TimeSpan Silence => time.GetElapsedTime(Math.Max(Interlocked.Read(ref lastAnswered), Freezes.LastThaw));

    public void Answered() => Interlocked.Exchange(ref lastAnswered, time.GetTimestamp());

    /// <exception cref="AgentExit">Exit code 3 once the silence reaches the timeout.</exception>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Freezes.Check();
            var silence = Silence;
            if (silence >= timeout) throw AgentExit.Orphaned(silence);
            var left = timeout - silence;
            await Task.Delay(left < Freezes.Tick ? left : Freezes.Tick, time, cancellationToken);
        }
    }
}
