using System.Text.Json;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>The runtime's tools, as the session's settings allow them; runs a call and always answers with a result.</summary>
internal sealed class Toolbox
{
    private readonly IReadOnlyList<IAgentTool> tools;
    private readonly ToolPermissions permissions;

    public Toolbox(string workspace, AgentSettings settings)
    {
        var root = new Workspace(workspace);
        tools = [new BashTool(root), new ReadTool(root), new WriteTool(root), new EditTool(root), new GlobTool(root), new GrepTool(root)];
        permissions = new ToolPermissions(settings);
    }

    /// <summary>The tools the model is told of.</summary>
    public IEnumerable<IAgentTool> Offered => tools.Where(tool => permissions.Offers(tool.Name));

    /// <summary>
    /// Runs a call. Whatever goes wrong short of the turn being cancelled (an unknown or refused tool, bad input,
    /// a file that cannot be read) is an error result the model can act on, not a failed turn.
    /// </summary>
    public async Task<ToolOutput> RunAsync(string name, JsonElement json, CancellationToken cancellationToken)
    {
        if (tools.FirstOrDefault(tool => tool.Name == name) is not { } found) return ToolOutput.Error($"there is no tool named {name}");
        var input = new ToolInput(json);
        try
        {
            if (permissions.Refusal(name, input) is { } refusal) return ToolOutput.Refused(refusal);
            return await found.RunAsync(input, cancellationToken);
        }
        catch (Exception e) when (e is ToolException or IOException or UnauthorizedAccessException)
        {
            return ToolOutput.Error(e.Message);
        }
    }
}
