namespace AgentCluster.Agent.Runtimes;

/// <summary>The runtimes AGENTCLUSTER_RUNTIME can name; a new runtime is one more entry here.</summary>
internal static class RuntimeCatalog
{
    private static readonly Dictionary<string, Func<AgentConfig, IAgentRuntime>> Runtimes = new(StringComparer.OrdinalIgnoreCase)
    {
        [ShellRuntime.RuntimeName] = config => new ShellRuntime(config.Workspace),
    };

    /// <exception cref="AgentExit">Exit code 2 for a name no runtime has.</exception>
    public static IAgentRuntime Create(AgentConfig config) =>
        Runtimes.TryGetValue(config.Runtime, out var create)
            ? create(config)
            : throw AgentExit.Misconfigured($"unknown runtime '{config.Runtime}' (known: {string.Join(", ", Runtimes.Keys)})");
}
