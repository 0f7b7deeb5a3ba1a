using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// What runs a turn: the shell today, Claude Code or the Anthropic API later. The rest of the agent (protocol,
/// outbox, heartbeats) does not change when a runtime is added.
/// </summary>
internal interface IAgentRuntime
{
    /// <summary>The name AGENTCLUSTER_RUNTIME selects it by.</summary>
    string Name { get; }

    /// <summary>
    /// Runs one turn to its end, reporting progress through <paramref name="events"/> as it happens. When
    /// <paramref name="cancellationToken"/> fires (session over, machine stopping) it stops everything the turn
    /// started and returns <see cref="TurnOutcome.Interrupted"/>; throwing OperationCanceledException is also fine.
    /// </summary>
    Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken);
}
