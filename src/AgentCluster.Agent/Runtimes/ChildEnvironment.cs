namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// The environment of a runtime's process: the agent's own, less everything the agent keeps for itself
/// (<c>AGENTCLUSTER_*</c>, the session's bearer token above all). What a turn runs is the model's or the
/// client's to choose, and a command as plain as <c>env</c> would otherwise hand it the token that speaks for
/// the session.
/// </summary>
internal static class ChildEnvironment
{
    public const string AgentPrefix = "AGENTCLUSTER_";

    public static void Scrub(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.Where(name => name.StartsWith(AgentPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            environment.Remove(name);
    }
}
