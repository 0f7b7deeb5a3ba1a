using AgentCluster.Fly.Json;
using AgentCluster.Silo.Hosting;
using Tomlyn;
using Tomlyn.Model;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.UnitTests.Deploy;

/// <summary>
/// fly.orchestrator.toml and fly.agent.toml as flyctl reads them: what a deploy depends on is there, and no
/// secret is in a file that is committed.
/// </summary>
public sealed class FlyTomlTests
{
    private static readonly TomlTable Orchestrator = Parse("fly.orchestrator.toml");
    private static readonly TomlTable Agent = Parse("fly.agent.toml");

    [Fact]
    public void The_nodes_serve_HTTP_on_the_port_they_listen_on_checked_on_health_ready()
    {
        var service = Table(Orchestrator, "http_service");
        var env = Table(Orchestrator, "env");
        Assert.Equal(8080L, service["internal_port"]);
        Assert.Equal(FlyNode.DefaultHttpPort, (string)env["PORT"]);
        Assert.Equal(((long)service["internal_port"]).ToString(), (string)env["PORT"]);
        Assert.True((bool)service["force_https"]);

        var check = Assert.Single((TomlTableArray)service["checks"]);
        Assert.Equal("/health/ready", check["path"]);
        Assert.Equal("GET", check["method"]);
        foreach (var key in new[] { "grace_period", "interval", "timeout" }) Assert.True(check.ContainsKey(key), key);
    }

    [Fact]
    public void The_nodes_never_stop_for_idleness_and_at_least_two_run()
    {
        var service = Table(Orchestrator, "http_service");
        Assert.Equal("off", service["auto_stop_machines"]);
        Assert.True((long)service["min_machines_running"] >= 2);
    }

    [Fact]
    public void Fly_waits_longer_than_the_node_takes_to_hand_its_sessions_over()
    {
        Assert.Equal("SIGTERM", Orchestrator["kill_signal"]);
        var killTimeout = GoDuration.Parse((string)Orchestrator["kill_timeout"]); // Fly's durations are Go's: "45s"
        Assert.True(killTimeout > NodeDrain.DefaultShutdownTimeout, $"kill_timeout {killTimeout} must exceed the node's ShutdownTimeout");
        Assert.True(killTimeout <= TimeSpan.FromSeconds(300), "Fly's kill_timeout is at most 300 s");
        if (Table(Orchestrator, "env").TryGetValue(NodeDrain.ShutdownTimeoutKey, out var configured))
            Assert.True(killTimeout > TimeSpan.Parse((string)configured), $"kill_timeout must exceed ShutdownTimeout {configured}");
    }

    [Fact]
    public void The_env_section_holds_no_secret_and_no_name_Fly_reserves()
    {
        var env = Table(Orchestrator, "env");
        Assert.NotEmpty(env);
        string[] secrets = ["FLY_API_TOKEN", "REDIS_URL", "ANTHROPIC_API_KEY", "Auth__ApiKeys", "Fly__ApiToken", "Anthropic__ApiKey"];
        foreach (var name in env.Keys)
        {
            Assert.DoesNotContain(secrets, s => name.StartsWith(s, StringComparison.OrdinalIgnoreCase));
            Assert.False(name.StartsWith("FLY_", StringComparison.Ordinal), $"[env] {name}: Fly refuses names beginning with FLY_");
            Assert.IsType<string>(env[name]);
        }
        // What the nodes need that is not a secret: the agents' app and image, and the Machines API over 6PN.
        Assert.Equal(Agent["app"], env["Fly__AppName"]);
        Assert.StartsWith($"registry.fly.io/{Agent["app"]}:", (string)env["Sessions__AgentImage"]);
        Assert.Equal("http://_api.internal:4280", env["Fly__ApiUrl"]);
    }

    [Fact]
    public void Both_apps_build_from_the_repository_s_Dockerfiles_in_one_region()
    {
        Assert.Equal("deploy/Dockerfile.orchestrator", Table(Orchestrator, "build")["dockerfile"]);
        Assert.Equal("deploy/Dockerfile.agent", Table(Agent, "build")["dockerfile"]);
        foreach (var (name, config) in new[] { ("fly.orchestrator.toml", Orchestrator), ("fly.agent.toml", Agent) })
            Assert.True(File.Exists(RepositoryFiles.Path((string)Table(config, "build")["dockerfile"])), name);
        Assert.Equal(Orchestrator["primary_region"], Agent["primary_region"]);
        Assert.NotEqual(Orchestrator["app"], Agent["app"]);
    }

    [Fact]
    public void The_agents_app_is_image_only_it_has_no_service_Fly_would_run()
    {
        foreach (var key in new[] { "http_service", "services", "processes", "checks", "mounts" })
            Assert.False(Agent.ContainsKey(key), $"fly.agent.toml has [{key}]: a deploy would make Fly Launch Machines of the agent");
    }

    private static TomlTable Parse(string file) => TomlSerializer.Deserialize<TomlTable>(RepositoryFiles.Read(file))!;

    private static TomlTable Table(TomlTable parent, string key) =>
        parent.TryGetValue(key, out var value) && value is TomlTable table ? table : throw new Xunit.Sdk.XunitException($"no [{key}] table");
}
