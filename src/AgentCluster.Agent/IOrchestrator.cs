using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// The three calls of the agent protocol. Each returns only once some orchestrator node answered it: the
/// implementation retries and fails over, and throws <see cref="AgentExit"/> when the agent must stop.
/// </summary>
internal interface IOrchestrator
{
    Task<AgentAck> PushAsync(IReadOnlyList<AgentEvent> events, CancellationToken cancellationToken);

    Task<AgentAck> HeartbeatAsync(CancellationToken cancellationToken);

    /// <returns>The next turn after <paramref name="after"/>, or null when none came within the poll's wait.</returns>
    Task<AgentTurn?> NextTurnAsync(int after, CancellationToken cancellationToken);
}
