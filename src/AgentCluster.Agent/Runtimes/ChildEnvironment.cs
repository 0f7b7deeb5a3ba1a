namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// The environment of a runtime's process: the agent's own, less everything the agent keeps for itself
/// (<c>AGENTCLUSTER_*</c>, the session's bearer token above all). What a turn runs is the model's or the
/// client's to choose, and a command as plain as <c>env</c> would otherwise hand it the token that speaks for
/// the session. The model's credentials are hidden too, unless the process is the model's client itself.
/// </summary>
internal static class ChildEnvironment
{
    public const string AgentPrefix = "AGENTCLUSTER_";

    /// <summary>For the runtime's own model client only: a command the model runs has no use for them.</summary>
    private static readonly string[] ModelCredentials = ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"];

    /// <param name="modelClient">The process is the model's client (the Claude Code CLI), which needs its key.</param>
    public static void Scrub(IDictionary<string, string?> environment, bool modelClient = false)
    {
        foreach (var name in environment.Keys.Where(name => IsHidden(name, modelClient)).ToList())
            environment.Remove(name);
    }

    public static bool IsHidden(string name, bool modelClient = false) =>
        name.StartsWith(AgentPrefix, StringComparison.OrdinalIgnoreCase)
        || (!modelClient && ModelCredentials.Contains(name, StringComparer.OrdinalIgnoreCase));
}
