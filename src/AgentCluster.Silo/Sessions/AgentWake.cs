using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// What the agent's long polls (its next turn, its watch on the running turn) wait for: a turn queued, a turn
/// interrupted, or the session ended. Each poll takes <see cref="Next"/>, checks its own condition, and waits
/// only if that is not met yet; any change wakes every poll, which then checks again.
/// </summary>
internal sealed class AgentWake(TimeProvider time, IGrainContext activation)
{
    // Made when a poll first waits: an idle session's agent is not always polling this activation.
    private TaskCompletionSource? next;

    public Task Next => (next ??= NewSignal()).Task;

    public void Signal() => Interlocked.Exchange(ref next, null)?.TrySetResult();

    /// <summary>When a poll asking to wait <paramref name="wait"/> ends at the latest.</summary>
    public DateTimeOffset Deadline(TimeSpan wait) => time.GetUtcNow() + (wait > AgentProtocol.MaxPollWait ? AgentProtocol.MaxPollWait : wait);

    /// <summary>
    /// Waits for <paramref name="woken"/> until <paramref name="until"/>. False when the time is up, or when the
    /// activation is deactivating (see <see cref="HeldCalls"/>): the agent's poll then ends empty and it asks again.
    /// </summary>
    public async Task<bool> WaitAsync(Task woken, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var remaining = until - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero) return false;
        using var held = HeldCalls.Hold(activation, cancellationToken);
        try
        {
            await woken.WaitAsync(remaining, time, held.Token);
            return true;
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
