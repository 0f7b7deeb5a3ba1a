namespace AgentCluster.Abstractions.Agents;

/// <summary>The runtimes an agent can run turns with (<see cref="AgentEnvironment.Runtime"/>): one name for the node and the agent.</summary>
public static class AgentRuntimes
{
    public const string Shell = "shell";
    public const string ClaudeCode = "claude-code";
    public const string Anthropic = "anthropic";

    /// <summary>Runtimes that call a model, and so need a model key.</summary>
    public static bool CallsModel(string? runtime) =>
        string.Equals(runtime, ClaudeCode, StringComparison.OrdinalIgnoreCase) || string.Equals(runtime, Anthropic, StringComparison.OrdinalIgnoreCase);
}
