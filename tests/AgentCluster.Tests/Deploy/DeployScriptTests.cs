using System.Diagnostics;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Deploy;

/// <summary>
/// deploy/deploy.sh against a stand-in for flyctl (fake-fly.sh, which logs every command line and keeps what it
/// was given): a first run sets everything up, a second changes nothing it need not, secrets go on stdin only,
/// and missing settings stop it with a message naming them.
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string Token = "FlyV1 fm2_fake-deploy-token";
    private const string RedisUrl = "redis://default:redis-password@fly-acme.upstash.io:6379";
    private const string ModelKey = "sk-ant-model-key";
    private static readonly string KeyHash = new('a', 64);
    private readonly string state = Directory.CreateTempSubdirectory("fake-fly-").FullName;

    private Dictionary<string, string> Settings() => new()
    {
        ["ORCH_APP"] = "acme",
        ["AGENT_APP"] = "acme-agents",
        ["REDIS_URL"] = RedisUrl,
        ["API_KEY_SHA256"] = KeyHash,
        ["ANTHROPIC_API_KEY"] = ModelKey,
        ["IMAGE_TAG"] = "v1",
    };

    [Fact]
    public async Task A_first_run_sets_up_both_apps_and_a_second_changes_only_what_it_must()
    {
        var (code, output) = await RunAsync(Settings());
        Assert.True(code == 0, output);
        var calls = Calls();
        Assert.Contains("apps create acme --org personal", calls);
        Assert.Contains("apps create acme-agents --org personal", calls);
        Assert.Contains("deploy -c fly.agent.toml -a acme-agents --build-only --push --image-label v1", calls);
        Assert.Contains("tokens create deploy -a acme-agents --name agentcluster nodes (acme)", calls);
        Assert.Contains("secrets import --stage -a acme", calls);
        Assert.Equal("deploy -c fly.orchestrator.toml -a acme -e Fly__AppName=acme-agents -e Sessions__AgentImage=registry.fly.io/acme-agents:v1 -e Auth__Operators=", calls[^1]);
        Assert.Equal(
            [$"FLY_API_TOKEN={Token}", $"REDIS_URL={RedisUrl}", $"Auth__ApiKeys__admin={KeyHash}", $"ANTHROPIC_API_KEY={ModelKey}"],
            Secrets());
        // Secrets reach flyctl on its stdin, never on a command line another process could read, nor in the output.
        foreach (var secret in new[] { "fake-deploy-token", "redis-password", ModelKey, KeyHash })
        {
            Assert.DoesNotContain(calls, c => c.Contains(secret));
            Assert.DoesNotContain(secret, output);
        }

        File.Delete(Path.Combine(state, "calls"));
        var again = Settings();
        again["IMAGE_TAG"] = "v2";
        again.Remove("API_KEY_SHA256"); // the key set on the first run stays
        (code, output) = await RunAsync(again);
        Assert.True(code == 0, output);
        calls = Calls();
        Assert.DoesNotContain(calls, c => c.StartsWith("apps create") || c.StartsWith("tokens create"));
        Assert.Equal("deploy -c fly.orchestrator.toml -a acme -e Fly__AppName=acme-agents -e Sessions__AgentImage=registry.fly.io/acme-agents:v2 -e Auth__Operators=", calls[^1]);
        Assert.Single(Secrets(), s => s.StartsWith("FLY_API_TOKEN="));
    }

    [Fact]
    public async Task Several_agents_apps_are_all_made_covered_by_one_org_token_and_passed_to_the_nodes()
    {
        var settings = Settings();
        settings.Remove("AGENT_APP");
        settings["AGENT_APPS"] = " acme-agents-1, acme-agents-2 ,acme-agents-3";
        var (code, output) = await RunAsync(settings);
        Assert.True(code == 0, output);
        var calls = Calls();
        foreach (var app in new[] { "acme", "acme-agents-1", "acme-agents-2", "acme-agents-3" })
            Assert.Contains($"apps create {app} --org personal", calls);
        // One image for all: Fly's registry is the organization's, so the first app's serves the others.
        Assert.Contains("deploy -c fly.agent.toml -a acme-agents-1 --build-only --push --image-label v1", calls);
        Assert.Single(calls, c => c.StartsWith("deploy -c fly.agent.toml"));
        // A deploy token manages one app: the nodes get a token of the organization instead.
        Assert.Contains("tokens create org -o personal --name agentcluster nodes (acme)", calls);
        Assert.DoesNotContain(calls, c => c.StartsWith("tokens create deploy"));
        Assert.Equal(
            "deploy -c fly.orchestrator.toml -a acme -e Fly__AppName=acme-agents-1 -e Fly__AgentApps__0=acme-agents-1 " +
            "-e Fly__AgentApps__1=acme-agents-2 -e Fly__AgentApps__2=acme-agents-3 " +
            "-e Sessions__AgentImage=registry.fly.io/acme-agents-1:v1 -e Auth__Operators=", calls[^1]);
        Assert.Contains($"FLY_API_TOKEN={Token}", Secrets());
        Assert.DoesNotContain(calls, c => c.Contains("fake-deploy-token"));
    }

    [Theory]
    [InlineData("acme-agents-1,Acme_Agents", null, "AGENT_APPS names 'Acme_Agents'")]
    [InlineData("acme-agents-1,acme-agents-2,acme-agents-1", null, "AGENT_APPS names 'acme-agents-1' more than once")]
    [InlineData("acme-agents-1,acme-agents-2", "acme-agents", "AGENT_APP 'acme-agents' is not one of AGENT_APPS")]
    [InlineData(" , ", null, "AGENT_APPS is set but names no app")]
    public async Task Bad_agents_apps_stop_it_before_anything_is_made(string agentApps, string? agentApp, string expected)
    {
        var settings = Settings();
        settings.Remove("AGENT_APP");
        settings["AGENT_APPS"] = agentApps;
        if (agentApp is not null) settings["AGENT_APP"] = agentApp;
        var (code, output) = await RunAsync(settings);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, output);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("apps create") || c.StartsWith("deploy"));
    }

    [Theory]
    [InlineData("ORCH_APP")]
    [InlineData("AGENT_APP")]
    [InlineData("REDIS_URL")]
    public async Task A_missing_setting_stops_it_before_anything_is_made(string name)
    {
        var settings = Settings();
        settings.Remove(name);
        var (code, output) = await RunAsync(settings);
        Assert.NotEqual(0, code);
        Assert.Contains(name, output);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("apps create") || c.StartsWith("deploy"));
    }

    [Fact]
    public async Task A_first_deploy_without_an_API_key_stops_and_says_how_to_make_one()
    {
        var settings = Settings();
        settings.Remove("API_KEY_SHA256");
        var (code, output) = await RunAsync(settings);
        Assert.NotEqual(0, code);
        Assert.Contains("API_KEY_SHA256", output);
        Assert.Contains("sha256sum", output);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("deploy -c fly.orchestrator.toml"));
    }

    private async Task<(int Code, string Output)> RunAsync(Dictionary<string, string> settings)
    {
        var bin = Directory.CreateDirectory(Path.Combine(state, "bin")).FullName;
        // An executable `fly` first on PATH, as deploy.sh finds flyctl.
        File.WriteAllText(Path.Combine(bin, "fly"), $"#!/bin/sh\nexec bash '{RepositoryFiles.Path("tests/AgentCluster.Tests/Deploy/fake-fly.sh")}' \"$@\"\n");
        using (var chmod = Process.Start("chmod", ["+x", Path.Combine(bin, "fly")])) await chmod.WaitForExitAsync();
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepositoryFiles.Path("deploy/deploy.sh"));
        foreach (var name in new[] { "ORCH_APP", "AGENT_APP", "AGENT_APPS", "REDIS_URL", "API_KEY_SHA256", "API_KEY_NAME", "ANTHROPIC_API_KEY", "IMAGE_TAG", "REGION", "FLY_ORG", "ROTATE_AGENT_TOKEN" })
            info.Environment.Remove(name);
        foreach (var (name, value) in settings) info.Environment[name] = value;
        info.Environment["PATH"] = bin + ":" + info.Environment["PATH"];
        info.Environment["FAKE_FLY"] = state;
        info.Environment["ENV_FILE"] = Path.Combine(state, "no-such.env");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private List<string> Calls()
    {
        var path = Path.Combine(state, "calls");
        return File.Exists(path) ? File.ReadAllLines(path).ToList() : [];
    }

    private List<string> Secrets() => File.ReadAllLines(Path.Combine(state, "secrets-acme")).ToList();

    public void Dispose() => Directory.Delete(state, recursive: true);
}
