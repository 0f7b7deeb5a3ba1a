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

        AssertMisconfigured(name);
    }

    /// <summary>Exit 2 with a message naming each of <paramref name="named"/>, and no token ("secret", "pool-secret").</summary>
    private void AssertMisconfigured(params string[] named)
    {
        var exit = Assert.Throws<AgentExit>(Load);

        Assert.Equal(2, exit.ExitCode);
        Assert.All(named, name => Assert.Contains(name, exit.Message));
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

    /// <summary>What a node gives a pool machine: a pool credential, and no session until one claims the machine.</summary>
    private void Pooled()
    {
        environment.Remove(AgentEnvironment.SessionId);
        environment.Remove(AgentEnvironment.SessionToken);
        environment[AgentEnvironment.PoolToken] = "pool-secret";
        environment[AgentEnvironment.Pool] = "shared-cpu-1x";
        environment[AgentConfig.MachineIdVariable] = "m_123";
        environment[AgentEnvironment.Workspace] = "/workspace";
        environment[AgentEnvironment.HeartbeatInterval] = "2";
    }

    [Fact]
    public void A_pool_machine_has_its_pool_and_credential_and_no_session_yet()
    {
        Pooled();

        var config = Load();

        Assert.Equal(("shared-cpu-1x", "pool-secret", "m_123"), (config.Pool, config.PoolToken, config.MachineId));
        Assert.Equal(("", ""), (config.SessionId, config.Token));
        Assert.Equal(2, config.OrchestratorUrls.Count);
        Assert.DoesNotContain("pool-secret", config.ToString());
    }

    [Fact]
    public void A_claim_makes_the_pool_machine_the_sessions_with_the_machines_own_settings()
    {
        Pooled();
        var pooled = Load();

        var config = pooled.Claimed(new AgentClaim { SessionId = "ses_9", Token = "session-secret", Runtime = "claude-code" });

        Assert.Equal(("ses_9", "session-secret", "claude-code"), (config.SessionId, config.Token, config.Runtime));
        Assert.Null(config.Pool);
        Assert.Null(config.PoolToken);
        Assert.Equal(pooled.OrchestratorUrls, config.OrchestratorUrls);
        Assert.Equal(("m_123", "/workspace", TimeSpan.FromSeconds(2), pooled.OrphanTimeout),
            (config.MachineId, config.Workspace, config.HeartbeatInterval, config.OrphanTimeout));
        Assert.DoesNotContain("session-secret", config.ToString());
    }

    [Fact]
    public void A_claim_without_a_runtime_gets_the_default()
    {
        Pooled();

        Assert.Equal("shell", Load().Claimed(new AgentClaim { SessionId = "ses_9", Token = "t", Runtime = "" }).Runtime);
    }

    [Theory]
    [InlineData(AgentConfig.MachineIdVariable, null)]
    [InlineData(AgentEnvironment.Pool, " ")]
    [InlineData(AgentEnvironment.OrchestratorUrls, null)]
    public void A_pool_machine_missing_a_variable_exits_2_naming_it(string name, string? value)
    {
        Pooled();
        environment[name] = value;

        AssertMisconfigured(name);
    }

    [Theory]
    [InlineData(AgentEnvironment.SessionId)]
    [InlineData(AgentEnvironment.SessionToken)]
    [InlineData(AgentEnvironment.Runtime)]
    public void A_sessions_variable_beside_a_pool_token_exits_2_naming_it(string name)
    {
        Pooled();
        environment[name] = "set";

        AssertMisconfigured(name, AgentEnvironment.PoolToken);
    }

    [Fact]
    public void Neither_a_session_token_nor_a_pool_token_exits_2_naming_both()
    {
        environment.Remove(AgentEnvironment.SessionToken);

        AssertMisconfigured(AgentEnvironment.SessionToken, AgentEnvironment.PoolToken);
    }
}
