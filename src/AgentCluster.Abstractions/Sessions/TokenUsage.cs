namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// The tokens a turn used, as the Messages API counts them (the <c>usage</c> of a <c>turn.completed</c>), or what a
/// session's model calls used in all (its view's <c>model_usage</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.TokenUsage")]
public sealed record TokenUsage(
    [property: Id(0)] long InputTokens,
    [property: Id(1)] long OutputTokens,
    [property: Id(2)] long CacheCreationInputTokens = 0,
    [property: Id(3)] long CacheReadInputTokens = 0)
{
    public static readonly TokenUsage None = new(0, 0);

    public TokenUsage Plus(TokenUsage other) => new(
        InputTokens + other.InputTokens,
        OutputTokens + other.OutputTokens,
        CacheCreationInputTokens + other.CacheCreationInputTokens,
        CacheReadInputTokens + other.CacheReadInputTokens);
}
