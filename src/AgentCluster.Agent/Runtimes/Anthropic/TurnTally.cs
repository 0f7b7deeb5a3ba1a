using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>What one of our turns has used so far: model calls and tokens, and from them its cost; and the tool calls refused.</summary>
internal sealed class TurnTally(string model)
{
    public int Calls { get; private set; }

    public int DeniedTools { get; private set; }

    public TokenUsage Usage { get; private set; } = TokenUsage.None;

    public void Add(TokenUsage usage)
    {
        Calls++;
        Usage = Usage.Plus(usage);
    }

    /// <summary>A tool call the session's permissions refused.</summary>
    public void Deny() => DeniedTools++;

    public TurnOutcome Outcome(string outcome, string? reason = null) =>
        new(outcome, Reason: reason, NumTurns: Calls, Usage: Usage, CostUsd: ModelPrices.Estimate(model, Usage), DeniedTools: DeniedTools > 0 ? DeniedTools : null);
}
