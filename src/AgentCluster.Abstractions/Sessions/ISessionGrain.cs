using AgentCluster.Abstractions.Agents;
using Orleans.Concurrency;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// One agent session: the single owner of its Fly Machine, its turns, its heartbeat deadline and its ordered
/// event log. Keyed by the session id. Internal services call it directly; the HTTP front door is a thin map
/// onto these methods.
/// </summary>
[Alias("AgentCluster.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the session: records it, creates its machine and queues the prompt as turn 1. Idempotent: a
    /// session that already exists is returned as it is (<see cref="StartResult.Created"/> false), whatever
    /// was retried or crashed before, and never gets a second machine.
    /// </summary>
    [Alias("Start")]
    Task<StartResult> StartAsync(StartSession request);

    /// <summary>The session as it is now, or null when there is no such session.</summary>
    [Alias("Get"), ReadOnly]
    Task<SessionView?> GetAsync();

    /// <summary>Queues a follow-up turn for the agent; returns its turn number. Turns run in order.</summary>
    [Alias("SendMessage")]
    Task<int> SendMessageAsync(string content);

    /// <summary>
    /// Stops the session's current turn: the agent's runtime is cancelled and reports <c>turn.completed</c>
    /// {outcome: interrupted}; a turn the agent has not taken yet ends at once without running. Later turns
    /// still run, and the session stays usable. Returns the turn interrupted; Conflict when no turn is open.
    /// </summary>
    [Alias("Interrupt")]
    Task<int> InterruptAsync();

    /// <summary>
    /// How a node reaches into the session's machine now (<see cref="Control.ControlProtocol"/>): its address and the
    /// agent's control key. A sleeping session wakes first. <see cref="MachineAccess.Ready"/> is false while the session
    /// has no machine yet or its agent has not set up since the machine (re)started: the caller asks again. The machine
    /// is not put to sleep for <paramref name="holdFor"/> (what the caller does counts as activity). Terminated (409) for
    /// a terminated session.
    /// </summary>
    [Alias("OpenMachine")]
    Task<MachineAccess> OpenMachineAsync(TimeSpan holdFor);

    /// <summary>Logs <c>session.exec {command, exit_code, via}</c> for audit: never the command's env, stdin or output.</summary>
    [Alias("RecordExec")]
    Task RecordExecAsync(string command, int? exitCode, string via);

    /// <summary>
    /// Destroys the session's machine and makes a new one for the same session (same id, settings, workspace): status
    /// <c>starting</c> with reason <c>restarted</c>, then <c>idle</c>. The turn running on the old machine ends
    /// interrupted; queued turns run on the new one, whose agent is handed the conversation so far. Terminated (409)
    /// for a terminated session.
    /// </summary>
    [Alias("Restart")]
    Task<SessionView> RestartAsync();

    /// <summary>Ends the session with reason <c>deleted</c> and destroys its machine. Deleting twice is harmless.</summary>
    [Alias("Delete")]
    Task<SessionView> DeleteAsync();

    /// <summary>
    /// Every event after <paramref name="afterSeq"/>, in order, exactly once: the stored log first, then live
    /// events as they come. Ends after the terminal <c>session.status</c> event.
    /// </summary>
    [Alias("Watch")]
    IAsyncEnumerable<SessionEvent> WatchAsync(long afterSeq, CancellationToken cancellationToken = default);

    /// <summary>The agent's batch of events (also a heartbeat). Acknowledges the highest agent sequence stored.</summary>
    [Alias("AgentPush")]
    Task<AgentAck> AgentPushAsync(string token, AgentEventBatch batch);

    /// <summary>The agent is alive and quiet.</summary>
    [Alias("AgentHeartbeat")]
    Task<AgentAck> AgentHeartbeatAsync(string token, string instance);

    /// <summary>
    /// The next turn after <paramref name="afterTurn"/>, waiting up to <paramref name="wait"/> for one to be
    /// queued; null when none came. Interleaves, so a waiting agent never blocks the session.
    /// </summary>
    [Alias("AgentNextTurn"), AlwaysInterleave]
    Task<AgentTurn?> AgentNextTurnAsync(string token, string instance, int afterTurn, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>What the agent's runtime needs: the session's settings and the model credentials (see <see cref="AgentSetup"/>).</summary>
    [Alias("AgentSetup")]
    Task<AgentSetup> AgentSetupAsync(string token);

    /// <summary>
    /// Held by the agent while it runs <paramref name="turn"/>: answers as soon as the client interrupts that
    /// turn, or null after <paramref name="wait"/>. Interleaves, like the next-turn poll.
    /// </summary>
    [Alias("AgentWatchTurn"), AlwaysInterleave]
    Task<AgentInterrupt?> AgentWatchTurnAsync(string token, int turn, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>
    /// The model gateway's check of one model call: <paramref name="modelToken"/> is the one this session's agent was
    /// handed at setup, the session is not terminated and has not spent its max_model_usd. Refused: another token
    /// (Forbidden), a terminated session (Terminated), a spent budget (Forbidden, field max_model_usd).
    /// </summary>
    [Alias("AuthorizeModelCall"), ReadOnly]
    Task<ModelGrant> AuthorizeModelCallAsync(string modelToken);

    /// <summary>What one model call of this session used (a response the gateway relayed), for its model_usage and model_cost_usd.</summary>
    [Alias("RecordModelUsage")]
    Task RecordModelUsageAsync(string modelToken, string? model, TokenUsage usage);
}
