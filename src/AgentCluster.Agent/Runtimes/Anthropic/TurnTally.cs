using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>What one of our turns has used so far: model calls and tokens, and from them its cost.</summary>
internal sealed class TurnTally(string model)
{
    public int Calls { get; private set; }

    public TokenUsage Usage { get; private set; } = TokenUsage.None;

    public void Add(TokenUsage usage)
    {
        Calls++;
        Usage = Usage.Plus(usage);
    }

    public TurnOutcome Outcome(string outcome, string? reason = null) =>
        new(outcome, Reason: reason, NumTurns: Calls, Usage: Usage, CostUsd: ModelPrices.Estimate(model, Usage));
}
