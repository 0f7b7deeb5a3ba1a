namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>What a tool answers: the <c>tool_result</c>'s content and whether it is an error.</summary>
internal sealed record ToolOutput(string Content, bool IsError = false)
{
    public static ToolOutput Error(string message) => new(message, IsError: true);
}
