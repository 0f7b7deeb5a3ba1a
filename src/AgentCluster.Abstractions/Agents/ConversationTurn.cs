namespace AgentCluster.Abstractions.Agents;

/// <summary>One finished turn of a session's conversation: what the user said, and the agent's answer (its final text; null when it gave none).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.ConversationTurn")]
public sealed record ConversationTurn([property: Id(0)] int Turn, [property: Id(1)] string Prompt, [property: Id(2)] string? Reply);
