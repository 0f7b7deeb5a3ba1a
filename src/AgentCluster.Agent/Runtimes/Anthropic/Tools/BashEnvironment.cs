namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// The environment the model's commands run with: the agent's own, less what the model must never read. The
/// AGENTCLUSTER_* variables carry the session's bearer token and the node's addresses; the model's API
/// credentials are for this process's client only, and a command has no use for them.
/// (A runtime-private stand-in until the agent has one shared helper for its child processes.)
/// </summary>
internal static class BashEnvironment
{
    private const string AgentPrefix = "AGENTCLUSTER_";
    private static readonly string[] Credentials = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"];

    public static void Scrub(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.ToList())
            if (IsHidden(name)) environment.Remove(name);
    }

    public static bool IsHidden(string name) =>
        name.StartsWith(AgentPrefix, StringComparison.OrdinalIgnoreCase) || Credentials.Contains(name, StringComparer.OrdinalIgnoreCase);
}
