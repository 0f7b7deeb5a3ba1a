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
    public async Task A_bash_command_of_several_parts_is_allowed_when_every_part_is_and_refused_naming_the_part_that_is_not()
    {
        var toolbox = With(new AgentSettings { AllowedTools = ["Bash(printf:*)", "Bash(python3:*)", "Bash(git:*)"] });

        var both = await Run(toolbox, "Bash", new { command = "printf 'print(6*7)\\n' > answer.py && python3 answer.py" });
        var smuggled = await Run(toolbox, "Bash", new { command = "git status && touch smuggled" });
        var lookalike = await Run(toolbox, "Bash", new { command = "gitk --all" });
        var substituted = await Run(toolbox, "Bash", new { command = "python3 -c \"print('$(touch substituted)')\"" });

        Assert.False(both.IsError, both.Content);
        Assert.EndsWith("42", both.Content.TrimEnd());
        Assert.True(smuggled.Denied);
        Assert.StartsWith("'touch smuggled' is not allowed here", smuggled.Content);
        Assert.True(lookalike.Denied);
        Assert.True(substituted.Denied);
        Assert.Contains("command substitution", substituted.Content);
        Assert.False(File.Exists(Path.Combine(workspace, "smuggled")));
        Assert.False(File.Exists(Path.Combine(workspace, "substituted")));
    }

    [Fact]
    public async Task A_deny_rule_refuses_a_command_line_when_any_part_matches_or_the_line_cannot_be_read()
    {
        var toolbox = With(new AgentSettings { DisallowedTools = ["Bash(rm:*)"] });

        var hidden = await Run(toolbox, "Bash", new { command = "echo ok; rm -rf made" });
        var unreadable = await Run(toolbox, "Bash", new { command = "echo $(ls)" });
        var fine = await Run(toolbox, "Bash", new { command = "echo ok | tr o 0 && echo rmdir-is-not-rm" });

        Assert.True(hidden.Denied);
        Assert.Contains("Bash(rm:*)", hidden.Content);
        Assert.True(unreadable.Denied);
        Assert.False(fine.IsError, fine.Content);
    }

    [Fact]
    public async Task Without_an_allowed_list_any_command_runs_and_nothing_is_denied()
    {
        var output = await Run(With(new AgentSettings()), "Bash", new { command = "echo \"$(echo sub)\" > out.txt && cat out.txt | tr a-z A-Z; python3 -c 'print(1+1)'" });

        Assert.False(output.IsError, output.Content);
        Assert.Matches("SUB\\s+2$", output.Content.TrimEnd());
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
