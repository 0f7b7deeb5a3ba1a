using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Runtimes.ClaudeCode;
using AgentCluster.Tests.Fakes;

namespace AgentCluster.Tests.Runtimes;

/// <summary>
/// What the CLI and the model's tools get from the agent's environment: the session's credentials, never the
/// agent's own AGENTCLUSTER_* variables. These tests set variables of this test process, so they run alone.
/// </summary>
[Collection(Name)]
public sealed class ClaudeCodeEnvironmentTests : IAsyncLifetime
{
    public const string Name = "Agent environment";
    private const string Token = "agent-session-token-must-not-leak";

    private ClaudeCodeCli cli = null!;

    public async Task InitializeAsync() => cli = await ClaudeCodeCli.StartAsync();

    public async Task DisposeAsync() => await cli.DisposeAsync();

    [Fact]
    public async Task The_cli_uses_the_session_key_and_its_tools_never_see_the_agent_token()
    {
        cli.Fake.Script(Reply.ToolUse("Bash", new { command = "env" }), Reply.Text("seen"));

        Environment.SetEnvironmentVariable(AgentEnvironment.SessionToken, Token);
        Environment.SetEnvironmentVariable(AgentEnvironment.SessionId, "ses_leak_check");
        TurnOutcome outcome;
        TestRuntimeEvents events;
        try
        {
            (outcome, events) = await cli.RunAsync(1, "print your environment");
        }
        finally
        {
            Environment.SetEnvironmentVariable(AgentEnvironment.SessionToken, null);
            Environment.SetEnvironmentVariable(AgentEnvironment.SessionId, null);
        }

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        Assert.All(cli.Fake.Requests.Where(r => r.Path.StartsWith("/v1/", StringComparison.Ordinal)), r => Assert.Equal(cli.Fake.ApiKey, r.ApiKey));
        var env = Assert.Single(events.All.OfType<ToolResultEvent>()).Content;
        Assert.Contains($"CLAUDE_CONFIG_DIR={cli.Workspace}", env);
        Assert.DoesNotContain(ChildEnvironment.AgentPrefix, env);
        Assert.DoesNotContain(Token, env);
        Assert.DoesNotContain(Token, Assert.Single(cli.Fake.Conversation[1].ToolResults).Content);
    }

    [Fact]
    public async Task A_wrong_key_ends_the_turn_with_an_authentication_error()
    {
        cli.Credentials["ANTHROPIC_API_KEY"] = "sk-ant-wrong";
        cli.Credentials["CLAUDE_CODE_MAX_RETRIES"] = "1"; // else it retries a 401 ten times, for minutes

        var (outcome, events) = await cli.RunAsync(1, "hello");

        Assert.Equal(TurnOutcomes.Error, outcome.Outcome);
        Assert.Contains("Invalid API key", outcome.Reason);
        Assert.Contains(events.Output(OutputStreams.Stderr), line => line.StartsWith("claude: API request failed (401 authentication_failed), retry 1 of 1", StringComparison.Ordinal));
        Assert.Contains(cli.Fake.Requests, r => r.ApiKey == "sk-ant-wrong");
        Assert.DoesNotContain(cli.Fake.Requests, r => r.ApiKey == cli.Fake.ApiKey);
    }
}

[CollectionDefinition(ClaudeCodeEnvironmentTests.Name, DisableParallelization = true)]
public sealed class AgentEnvironmentCollection;
