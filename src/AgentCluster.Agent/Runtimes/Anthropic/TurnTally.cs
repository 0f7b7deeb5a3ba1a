using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>What one of our turns has used so far: model calls and tokens, and from them its cost.</summary>
internal sealed class TurnTally(string model)
{
    public int Calls { get; private set; }

    public TokenUsage Usage { get; private set; } = new(0, 0);

    public void Add(TokenUsage usage)
    {
        Calls++;
        Usage = new TokenUsage(
            Usage.InputTokens + usage.InputTokens,
            Usage.OutputTokens + usage.OutputTokens,
            Usage.CacheCreationInputTokens + usage.CacheCreationInputTokens,
            Usage.CacheReadInputTokens + usage.CacheReadInputTokens);
    }

    public TurnOutcome Outcome(string outcome, string? reason = null) =>
        new(outcome, Reason: reason, NumTurns: Calls, Usage: Usage, CostUsd: ModelPrices.Estimate(model, Usage));
}
