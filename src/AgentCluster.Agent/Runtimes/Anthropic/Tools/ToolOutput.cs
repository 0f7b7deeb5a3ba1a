namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>What a tool answers: the <c>tool_result</c>'s content and whether it is an error.</summary>
/// <param name="Denied">The session's permissions refused the call (an error too), counted in the turn's denied_tools.</param>
internal sealed record ToolOutput(string Content, bool IsError = false, bool Denied = false)
{
    public static ToolOutput Error(string message) => new(message, IsError: true);

    public static ToolOutput Refused(string reason) => new(reason, IsError: true, Denied: true);
}
