using AgentCluster.Silo.Health;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentCluster.Tests.Health;

/// <summary>The Claude Code CLI is looked for where the embedded default's agents look: on the node's PATH, and only when sessions default to claude-code.</summary>
public sealed class ClaudeCodeCliCheckTests : IDisposable
{
    private readonly string empty = Directory.CreateTempSubdirectory("no-cli-").FullName;
    private readonly string withCli = Directory.CreateTempSubdirectory("cli-").FullName;

    public ClaudeCodeCliCheckTests() => File.WriteAllText(Path.Combine(withCli, "claude"), "#!/bin/sh\n");

    [Fact]
    public void Sessions_that_default_to_claude_code_with_no_CLI_on_PATH_are_a_problem_that_says_how_to_install_it()
    {
        var check = Check(defaultRuntime: "claude-code");
        var problem = check.Problem(empty);
        Assert.Contains("tools/claude-code/install.sh", problem);
        Assert.Contains("npm i -g @anthropic-ai/claude-code", problem);
        Assert.Null(check.Problem($"{empty}:{withCli}"));
    }

    [Fact]
    public void A_node_with_a_model_key_defaults_to_claude_code_and_without_one_to_shell_which_needs_no_CLI()
    {
        Assert.NotNull(Check(defaultRuntime: null, modelKey: "sk-ant-x").Problem(empty));
        Assert.Null(Check(defaultRuntime: null).Problem(empty));
        Assert.Null(Check(defaultRuntime: "shell", modelKey: "sk-ant-x").Problem(empty));
    }

    [Fact]
    public async Task Shell_sessions_by_default_are_healthy_whatever_is_on_PATH()
    {
        var result = await Check(defaultRuntime: "shell").CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    private static ClaudeCodeCliCheck Check(string? defaultRuntime, string? modelKey = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new AgentSessionOptions { DefaultRuntime = defaultRuntime }),
            Microsoft.Extensions.Options.Options.Create(new ModelOptions { ApiKey = modelKey }));

    public void Dispose()
    {
        Directory.Delete(empty, recursive: true);
        Directory.Delete(withCli, recursive: true);
    }
}
