using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// What a runtime is made from: the workspace its turns run in, the session's settings and the credentials
/// fetched from the node (<see cref="AgentSetup"/>), to hand to the runtime's process or client only; and the
/// session's conversation so far, for a runtime that has none of its own to continue (a restart's new machine).
/// A class, not a record: a record's generated ToString would print the credentials.
/// </summary>
internal sealed class RuntimeContext(string workspace, AgentSettings settings, IReadOnlyDictionary<string, string> credentials,
    IReadOnlyList<ConversationTurn>? conversation = null)
{
    public string Workspace { get; } = workspace;
    public AgentSettings Settings { get; } = settings;
    public IReadOnlyDictionary<string, string> Credentials { get; } = credentials;
    public IReadOnlyList<ConversationTurn> Conversation { get; } = conversation ?? [];

    /// <summary>A credential, else the agent's own environment (an image may bake in a base URL), else null.</summary>
    public string? Get(string name) =>
        Credentials.TryGetValue(name, out var value) && value.Length > 0 ? value : Environment.GetEnvironmentVariable(name) is { Length: > 0 } env ? env : null;

    public override string ToString() => $"RuntimeContext({Workspace}, {Settings}, credentials: [{string.Join(", ", Credentials.Keys)}])";
}
