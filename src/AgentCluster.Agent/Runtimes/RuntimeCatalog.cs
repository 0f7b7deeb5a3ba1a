using AgentCluster.Agent.Runtimes.ClaudeCode;

namespace AgentCluster.Agent.Runtimes;

/// <summary>The runtimes AGENTCLUSTER_RUNTIME can name; a new runtime is one more entry here.</summary>
internal static class RuntimeCatalog
{
    private static readonly Dictionary<string, Func<RuntimeContext, IAgentRuntime>> Runtimes = new(StringComparer.OrdinalIgnoreCase)
    {
        [ShellRuntime.RuntimeName] = context => new ShellRuntime(context.Workspace),
        [ClaudeCodeRuntime.RuntimeName] = context => new ClaudeCodeRuntime(context, TimeProvider.System),
        [Anthropic.AnthropicRuntime.RuntimeName] = context => new Anthropic.AnthropicRuntime(context),
    };

    /// <exception cref="AgentExit">Exit code 2 for a name no runtime has: checked at start, before any setup.</exception>
    public static void Check(string name)
    {
        if (!Runtimes.ContainsKey(name))
            throw AgentExit.Misconfigured($"unknown runtime '{name}' (known: {string.Join(", ", Runtimes.Keys)})");
    }

    public static IAgentRuntime Create(string name, RuntimeContext context)
    {
        Check(name);
        return Runtimes[name](context);
    }
}
