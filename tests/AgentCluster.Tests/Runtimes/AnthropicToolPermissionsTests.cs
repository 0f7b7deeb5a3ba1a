using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes.Anthropic.Tools;

namespace AgentCluster.Tests.Runtimes;

/// <summary>Which tools the anthropic runtime offers and runs, from the session's allowed and disallowed tools.</summary>
public sealed class AnthropicToolPermissionsTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("anthropic-perm-").FullName;

    public void Dispose() => Directory.Delete(workspace, recursive: true);

    private Toolbox With(AgentSettings settings) => new(workspace, settings);

    private static Task<ToolOutput> Run(Toolbox toolbox, string tool, object input) =>
        toolbox.RunAsync(tool, JsonSerializer.SerializeToElement(input), CancellationToken.None);

    [Fact]
    public void All_six_tools_are_offered_when_no_list_is_set()
    {
        Assert.Equal(["Bash", "Read", "Write", "Edit", "Glob", "Grep"], With(new AgentSettings()).Offered.Select(t => t.Name));
    }

    [Fact]
    public async Task Disallowed_tools_are_not_offered_and_their_calls_are_refused()
    {
        var toolbox = With(new AgentSettings { DisallowedTools = ["Write", "Bash"] });

        var output = await Run(toolbox, "Write", new { file_path = "a.txt", content = "x" });

        Assert.Equal(["Read", "Edit", "Glob", "Grep"], toolbox.Offered.Select(t => t.Name));
        Assert.True(output.IsError);
        Assert.Contains("not allowed", output.Content);
        Assert.False(File.Exists(Path.Combine(workspace, "a.txt")));
    }

    [Fact]
    public async Task An_allowed_list_keeps_to_its_tools()
    {
        var toolbox = With(new AgentSettings { AllowedTools = ["Read", "Glob"] });

        var output = await Run(toolbox, "Bash", new { command = "touch made" });

        Assert.Equal(["Read", "Glob"], toolbox.Offered.Select(t => t.Name));
        Assert.True(output.IsError);
        Assert.False(File.Exists(Path.Combine(workspace, "made")));
    }

    [Fact]
    public async Task Bash_rules_allow_and_deny_by_command_prefix()
    {
        var toolbox = With(new AgentSettings { AllowedTools = ["Bash(echo:*)", "Read"], DisallowedTools = ["Bash(echo secret:*)"] });

        var allowed = await Run(toolbox, "Bash", new { command = "echo fine" });
        var notAllowed = await Run(toolbox, "Bash", new { command = "touch made" });
        var denied = await Run(toolbox, "Bash", new { command = "echo secret stuff" });

        Assert.Equal(["Bash", "Read"], toolbox.Offered.Select(t => t.Name));
        Assert.False(allowed.IsError, allowed.Content);
        Assert.True(notAllowed.IsError);
        Assert.True(denied.IsError);
        Assert.Contains("Bash(echo secret:*)", denied.Content);
    }

    [Fact]
    public async Task Plan_mode_keeps_to_the_tools_that_only_read()
    {
        var toolbox = With(new AgentSettings { PermissionMode = "plan" });

        var output = await Run(toolbox, "Edit", new { file_path = "a", old_string = "a", new_string = "b" });

        Assert.Equal(["Read", "Glob", "Grep"], toolbox.Offered.Select(t => t.Name));
        Assert.True(output.IsError);
        Assert.Contains("plan mode", output.Content);
    }

    [Fact]
    public async Task An_unknown_tool_is_an_error_result()
    {
        var output = await Run(With(new AgentSettings()), "WebFetch", new { url = "http://127.0.0.1" });

        Assert.True(output.IsError);
        Assert.Contains("no tool named WebFetch", output.Content);
    }
}
