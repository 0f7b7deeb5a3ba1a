using System.Text.Json;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// A tool the model may call, named and shaped as Claude Code's own, so that prompts and presets written for
/// Claude Code read the same here.
/// </summary>
internal interface IAgentTool
{
    string Name { get; }

    string Description { get; }

    /// <summary>The JSON schema of the tool's input, as the Messages API's <c>input_schema</c>.</summary>
    string InputSchema { get; }

    /// <summary>Runs the tool. Bad input and refused paths throw <see cref="ToolException"/>; the caller makes them error results.</summary>
    Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken);
}
