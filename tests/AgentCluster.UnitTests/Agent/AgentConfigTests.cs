using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.UnitTests.Agent;

public sealed class AgentConfigTests
{
    private readonly Dictionary<string, string?> environment = new()
    {
        [AgentEnvironment.SessionId] = "ses_1",
        [AgentEnvironment.SessionToken] = "secret",
        [AgentEnvironment.OrchestratorUrls] = "http://127.0.0.1:8080, http://127.0.0.1:8081/api",
    };

    private AgentConfig Load() => AgentConfig.Load(name => environment.GetValueOrDefault(name));

    [Fact]
    public void Defaults_apply_to_what_is_not_set()
    {
        var config = Load();

        Assert.Equal("shell", config.Runtime);
        Assert.Equal(TimeSpan.FromSeconds(10), config.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), config.OrphanTimeout);
        Assert.Equal(Environment.CurrentDirectory, config.Workspace);
        Assert.Equal("shell", RuntimeCatalog.Create(config.Runtime, new RuntimeContext(config.Workspace, new(), new Dictionary<string, string>())).Name);
    }

    [Fact]
    public void Base_urls_end_with_a_slash_so_protocol_paths_append()
    {
        var urls = Load().OrchestratorUrls;

        Assert.Equal(["http://127.0.0.1:8080/", "http://127.0.0.1:8081/api/"], urls.Select(u => u.ToString()));
        Assert.Equal("http://127.0.0.1:8081/api/agent/sessions/ses_1/events", new Uri(urls[1], AgentProtocol.EventsPath("ses_1")).ToString());
    }

    [Fact]
    public void Durations_are_read_from_their_variables()
    {
        environment[AgentEnvironment.HeartbeatInterval] = "0.5";
        environment[AgentEnvironment.OrphanTimeout] = "00:01:00";

        var config = Load();

        Assert.Equal(TimeSpan.FromMilliseconds(500), config.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), config.OrphanTimeout);
    }

    [Theory]
    [InlineData(AgentEnvironment.SessionId, null)]
    [InlineData(AgentEnvironment.SessionToken, "")]
    [InlineData(AgentEnvironment.OrchestratorUrls, " ")]
    [InlineData(AgentEnvironment.OrchestratorUrls, "ftp://x")]
    [InlineData(AgentEnvironment.OrchestratorUrls, ",")]
    [InlineData(AgentEnvironment.HeartbeatInterval, "soon")]
    public void Missing_or_malformed_variables_exit_2_naming_the_variable(string name, string? value)
    {
        environment[name] = value;

        var exit = Assert.Throws<AgentExit>(Load);

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains(name, exit.Message);
        Assert.DoesNotContain("secret", exit.Message);
    }

    [Fact]
    public void An_unknown_runtime_exits_2()
    {
        environment[AgentEnvironment.Runtime] = "claude-someday";

        var exit = Assert.Throws<AgentExit>(() => RuntimeCatalog.Check(Load().Runtime));

        Assert.Equal(2, exit.ExitCode);
        Assert.Contains("claude-someday", exit.Message);
    }
}
