namespace AgentCluster.Abstractions.Agents;

/// <summary>
/// What an agent fetches from the node when it starts (<see cref="AgentProtocol.SetupPath"/>): the runtime's
/// settings and the credentials its runtime needs. No real model key is among them: a model runtime gets a model
/// token good only for its session's model gateway on the nodes (<see cref="AgentProtocol.ModelGatewayPath"/>), as
/// <c>ANTHROPIC_API_KEY</c>, and that gateway's address as <c>ANTHROPIC_BASE_URL</c>; the nodes add the real key
/// upstream. Credentials travel only over the agent's authenticated channel, never in the machine's config (which
/// anyone who can list the Fly app's machines reads), and the agent keeps them in memory and in its runtime
/// process's environment only.
/// A class, not a record: a record's generated ToString would print the credentials.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentSetup")]
public sealed class AgentSetup
{
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";
    public const string BaseUrlVariable = "ANTHROPIC_BASE_URL";

    [Id(0)] public required AgentSettings Settings { get; init; }

    /// <summary>Environment variables for the runtime process: <c>ANTHROPIC_API_KEY</c> (the model token), <c>ANTHROPIC_BASE_URL</c>.</summary>
    [Id(1)] public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The key a node presents (as bearer) when it calls this agent's control server (<see cref="Control.ControlProtocol"/>):
    /// new at every setup, kept by the session only encrypted.
    /// </summary>
    [Id(2)] public string? ControlKey { get; init; }

    /// <summary>
    /// The session's earlier turns, oldest first, for a runtime that has no conversation of its own to continue (a new
    /// machine after a restart, its disk gone with the old one): so that the model still sees what was said.
    /// </summary>
    [Id(3)] public IReadOnlyList<ConversationTurn> Conversation { get; init; } = [];

    public override string ToString() => $"AgentSetup(settings: {Settings}, credentials: [{string.Join(", ", Credentials.Keys)}], conversation: {Conversation.Count} turns)";
}

/// <summary>The node's answer to an interrupt watch: the turn is to stop now.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentInterrupt")]
public sealed record AgentInterrupt([property: Id(0)] int Turn);
