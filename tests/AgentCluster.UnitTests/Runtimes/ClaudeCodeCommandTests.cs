using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Runtimes.ClaudeCode;

namespace AgentCluster.UnitTests.Runtimes;

/// <summary>The CLI's command line, environment and executable, without running it.</summary>
public sealed class ClaudeCodeCommandTests
{
    [Fact]
    public void Every_setting_becomes_its_option_and_tool_rules_stay_whole()
    {
        var settings = new AgentSettings
        {
            Model = "claude-sonnet-4-5",
            SystemPrompt = "Be brief.",
            AllowedTools = ["Bash(git commit:*)", "Read"],
            DisallowedTools = ["WebFetch"],
            PermissionMode = "acceptEdits",
            MaxTurns = 7,
        };

        Assert.Equal(
        [
            "-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
            "--resume", "0b6f9f5e-2f5c-4d43-9f0f-1b2b7f6f8a11",
            "--model", "claude-sonnet-4-5",
            "--append-system-prompt", "Be brief.",
            "--allowedTools", "Bash(git commit:*)", "Read",
            "--disallowedTools", "WebFetch",
            "--permission-mode", "acceptEdits",
            "--max-turns", "7",
        ], ClaudeCodeCommand.Arguments(settings, "0b6f9f5e-2f5c-4d43-9f0f-1b2b7f6f8a11"));
    }

    [Fact]
    public void Settings_silent_on_permissions_allow_every_tool_that_asks_and_any_permission_setting_keeps_its_own_meaning()
    {
        Assert.Equal(["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--allowedTools", "Bash", "Edit", "Write", "NotebookEdit", "WebFetch", "WebSearch"],
            ClaudeCodeCommand.Arguments(new AgentSettings(), resume: null));
        Assert.Equal(["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--allowedTools", "Bash", "Edit", "Write", "NotebookEdit", "WebFetch", "WebSearch",
                "--disallowedTools", "WebFetch"],
            ClaudeCodeCommand.Arguments(new AgentSettings { DisallowedTools = ["WebFetch"] }, resume: null));
        Assert.Equal(["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--permission-mode", "plan"],
            ClaudeCodeCommand.Arguments(new AgentSettings { PermissionMode = "plan" }, resume: null));
        Assert.Equal(["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--allowedTools", "Read"],
            ClaudeCodeCommand.Arguments(new AgentSettings { AllowedTools = ["Read"] }, resume: null));
    }

    [Fact]
    public void The_cli_gets_the_credentials_and_its_config_in_the_workspace_but_no_agent_variable()
    {
        var workspace = Path.Combine(Path.GetTempPath(), "claude-code-command");
        var credentials = new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = "sk-ant-session",
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
            [AgentEnvironment.SessionToken] = "never-for-the-cli",
        };
        var context = new RuntimeContext(workspace, new AgentSettings(), credentials);

        var info = ClaudeCodeCommand.Create("/usr/bin/claude", context, new ClaudeCodeHome(workspace), resume: null);

        Assert.Equal(workspace, info.WorkingDirectory);
        Assert.True(info.RedirectStandardInput, "the prompt goes on stdin");
        Assert.Equal("sk-ant-session", info.Environment["ANTHROPIC_API_KEY"]);
        Assert.Equal("http://127.0.0.1:9", info.Environment["ANTHROPIC_BASE_URL"]);
        Assert.Equal(Path.Combine(workspace, ".agentcluster", "claude-code", "config"), info.Environment["CLAUDE_CONFIG_DIR"]);
        Assert.Equal("1", info.Environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"]);
        Assert.Equal("1", info.Environment["DISABLE_AUTOUPDATER"]);
        Assert.DoesNotContain(info.Environment.Keys, name => name.StartsWith(ChildEnvironment.AgentPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Scrubbing_removes_every_agent_variable_and_the_model_key_unless_for_the_model_client()
    {
        Dictionary<string, string?> Environment() => new()
        {
            [AgentEnvironment.SessionToken] = "secret",
            [AgentEnvironment.OrchestratorUrls] = "http://node",
            ["agentcluster_lowercase"] = "x",
            ["PATH"] = "/usr/bin",
            ["MY_AGENTCLUSTER_NOTE"] = "kept: not the prefix",
            ["ANTHROPIC_API_KEY"] = "sk-ant-key",
        };

        var command = Environment();
        ChildEnvironment.Scrub(command);
        Assert.Equal(["PATH", "MY_AGENTCLUSTER_NOTE"], command.Keys);

        var client = Environment();
        ChildEnvironment.Scrub(client, modelClient: true);
        Assert.Equal(["PATH", "MY_AGENTCLUSTER_NOTE", "ANTHROPIC_API_KEY"], client.Keys);
    }

    [Fact]
    public void The_executable_is_claude_code_path_else_claude_on_path_else_an_error_naming_both()
    {
        var bin = Directory.CreateTempSubdirectory("claude-code-bin-");
        try
        {
            var onPath = Path.Combine(bin.FullName, "claude");
            File.WriteAllText(onPath, "");
            var configured = Path.Combine(bin.FullName, "my-claude");
            File.WriteAllText(configured, "");
            var path = $"/nonexistent{Path.PathSeparator}{bin.FullName}";

            Assert.Equal(onPath, ClaudeCodeExecutable.Resolve(name => name == "PATH" ? path : null));
            Assert.Equal(configured, ClaudeCodeExecutable.Resolve(name => name switch { "PATH" => path, "CLAUDE_CODE_PATH" => configured, _ => null }));

            var missing = Assert.Throws<InvalidOperationException>(() => ClaudeCodeExecutable.Resolve(name => name == "CLAUDE_CODE_PATH" ? "/nope/claude" : path));
            Assert.Contains("CLAUDE_CODE_PATH=/nope/claude", missing.Message);
            var none = Assert.Throws<InvalidOperationException>(() => ClaudeCodeExecutable.Resolve(name => name == "PATH" ? "/nonexistent" : null));
            Assert.Contains("CLAUDE_CODE_PATH", none.Message);
            Assert.Contains("PATH", none.Message);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
