using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// Stands in for a runtime whose set-up failed (the session's repository could not be cloned): every turn ends
/// at once with the reason, as a <c>session.error</c> and an error outcome, instead of the agent exiting and its
/// machine restarting into the same failure. The client sees why and can delete the session.
/// </summary>
internal sealed class UnavailableRuntime(string name, string reason) : IAgentRuntime
{
    public string Name => name;

    public Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(reason);
}
