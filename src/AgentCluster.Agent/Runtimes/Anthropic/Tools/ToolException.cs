namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>A tool call the tool refuses (bad input, a path outside the workspace): the model gets the message as an error result.</summary>
internal sealed class ToolException(string message) : Exception(message);
