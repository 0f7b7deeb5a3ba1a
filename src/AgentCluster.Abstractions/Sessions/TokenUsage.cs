namespace AgentCluster.Abstractions.Sessions;

/// <summary>The tokens a turn used, as the Messages API counts them (the <c>usage</c> of a <c>turn.completed</c>).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.TokenUsage")] // shown in a session's view (TurnResult.Usage)
public sealed record TokenUsage(
    [property: Id(0)] long InputTokens,
    [property: Id(1)] long OutputTokens,
    [property: Id(2)] long CacheCreationInputTokens = 0,
    [property: Id(3)] long CacheReadInputTokens = 0);
