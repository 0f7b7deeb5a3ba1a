namespace AgentCluster.Abstractions.Sessions;

/// <summary>The tokens a turn used, as the Messages API counts them (the <c>usage</c> of a <c>turn.completed</c>).</summary>
public sealed record TokenUsage(
    long InputTokens,
    long OutputTokens,
    long CacheCreationInputTokens = 0,
    long CacheReadInputTokens = 0);
