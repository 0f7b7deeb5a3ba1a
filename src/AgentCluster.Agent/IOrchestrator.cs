using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// The calls of the agent protocol. Each returns only once some orchestrator node answered it: the
/// implementation retries and fails over, and throws <see cref="AgentExit"/> when the agent must stop.
/// </summary>
internal interface IOrchestrator
{
    Task<AgentAck> PushAsync(IReadOnlyList<AgentEvent> events, CancellationToken cancellationToken);

    Task<AgentAck> HeartbeatAsync(CancellationToken cancellationToken);

    /// <returns>The next turn after <paramref name="after"/>, or null when none came within the poll's wait.</returns>
    Task<AgentTurn?> NextTurnAsync(int after, CancellationToken cancellationToken);

    /// <summary>The runtime's settings and credentials, fetched once at start.</summary>
    Task<AgentSetup> SetupAsync(CancellationToken cancellationToken);

    /// <returns>The interrupt, when the client asked <paramref name="turn"/> to stop; null when not within the poll's wait.</returns>
    Task<AgentInterrupt?> WatchInterruptAsync(int turn, CancellationToken cancellationToken);
}
