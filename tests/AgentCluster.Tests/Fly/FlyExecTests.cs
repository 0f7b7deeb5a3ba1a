using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Control;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Telemetry;
using AgentCluster.Tests.Conformance;
using AgentCluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Fly;

/// <summary>
/// Fly's own exec as the node uses it: the client's request and answer on the wire, and <see cref="SessionMachines.ExecAsync"/>
/// (the way in when the agent does not answer) on the emulator's machines.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class FlyExecTests(EmulatorFixture fly)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_client_sends_the_specs_request_without_the_deprecated_cmd_and_reads_the_answer()
    {
        await using var server = await RecordingFly.StartAsync("""{"exit_code":2,"exit_signal":0,"stdout":"o","stderr":"e","future":1}""");
        await using var services = EmulatorHost.CreateClientServices(server.Url, "t");

        var answer = await services.GetRequiredService<IFlyMachinesApi>().ExecMachineAsync("app-1", "m-1",
            new MachineExecRequest { Command = ["ls", "-la"], Timeout = 5, Stdin = "in" });

        Assert.Equal("POST /v1/apps/app-1/machines/m-1/exec", server.Request);
        var body = JsonNode.Parse(server.Body!)!;
        OpenApiSchemas.Fly.AssertValid("MachineExecRequest", body);
        Assert.Equal("""{"command":["ls","-la"],"timeout":5,"stdin":"in"}""", body.ToJsonString());
        Assert.Equal((2, 0, "o", "e"), (answer.ExitCode, answer.ExitSignal, answer.Stdout, answer.Stderr));
    }

    [Fact]
    public async Task A_session_command_runs_through_Fly_in_the_workspace_with_its_env_and_without_the_agents_secrets()
    {
        var (app, id) = await StartedAsync("mkdir -p 'sub dir' && exec sleep 600");
        using var services = SessionMachinesOn();
        var rootfs = await fly.RootfsAsync(app, id);
        await Eventually.TrueAsync(() => Directory.Exists(Path.Combine(rootfs, "sub dir")), Deadline, "the machine made its folder");

        var result = await services.GetRequiredService<SessionMachines>().ExecAsync(app, id, new ExecRequest
        {
            Command = ExecCommand.Shell("pwd; echo \"$GREETING\"; env"),
            Cwd = "sub dir",
            Env = new() { ["GREETING"] = "a b $HOME" },
        }, CancellationToken.None);

        Assert.Equal((0, "fly", false, false), (result.ExitCode, result.Via, result.TimedOut, result.Truncated));
        var lines = result.Stdout.Split('\n');
        Assert.Equal(Path.Combine(rootfs, "sub dir"), lines[0]);
        Assert.Equal("a b $HOME", lines[1]);
        Assert.Contains($"FLY_MACHINE_ID={id}", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("AGENTCLUSTER_", StringComparison.Ordinal) || l.StartsWith("ANTHROPIC_", StringComparison.Ordinal));
        Assert.DoesNotContain("secret", result.Stdout);
    }

    [Fact]
    public async Task Nothing_in_a_request_is_read_by_the_wrapping_shell()
    {
        var (app, id) = await StartedAsync("exec sleep 600");
        using var services = SessionMachinesOn();
        var rootfs = await fly.RootfsAsync(app, id);

        var result = await services.GetRequiredService<SessionMachines>().ExecAsync(app, id, new ExecRequest
        {
            Command = ExecCommand.Of(["printf", "%s|", "$(touch pwned-arg)", "`touch pwned-tick`"]),
            Cwd = "\"; touch pwned-cwd; \"",
            Env = new() { ["X"] = "$(touch pwned-env)" },
        }, CancellationToken.None);

        Assert.NotEqual(0, result.ExitCode); // no such folder: the cwd is a name, not code
        Assert.Empty(Directory.EnumerateFiles(rootfs, "pwned*"));

        var literal = await services.GetRequiredService<SessionMachines>().ExecAsync(app, id, new ExecRequest
        {
            Command = ExecCommand.Of(["printf", "%s|", "$(touch pwned-arg)", "`touch pwned-tick`"]),
        }, CancellationToken.None);
        Assert.Equal("$(touch pwned-arg)|`touch pwned-tick`|", literal.Stdout);
        Assert.Empty(Directory.EnumerateFiles(rootfs, "pwned*"));
    }

    [Fact]
    public async Task A_command_Fly_killed_at_its_timeout_timed_out_and_stdin_gets_through()
    {
        var (app, id) = await StartedAsync("exec sleep 600");
        using var services = SessionMachinesOn();
        var machines = services.GetRequiredService<SessionMachines>();

        var slow = await machines.ExecAsync(app, id, new ExecRequest { Command = ExecCommand.Of(["sleep", "30"]), TimeoutS = 1 }, CancellationToken.None);
        var echoed = await machines.ExecAsync(app, id, new ExecRequest { Command = ExecCommand.Of(["cat"]), Stdin = "typed" }, CancellationToken.None);

        Assert.True(slow.TimedOut);
        Assert.Equal(137, slow.ExitCode);
        Assert.InRange(slow.DurationMs, 1000, 20_000);
        Assert.Equal("typed", echoed.Stdout);
    }

    [Fact]
    public async Task Output_past_the_requests_cap_is_cut_and_said_to_be()
    {
        var (app, id) = await StartedAsync("exec sleep 600");
        using var services = SessionMachinesOn();

        var result = await services.GetRequiredService<SessionMachines>().ExecAsync(app, id,
            new ExecRequest { Command = ExecCommand.Of(["printf", "ab€€"]), MaxOutputBytes = 4 }, CancellationToken.None);

        Assert.True(result.Truncated);
        Assert.Equal("ab", result.Stdout); // not half a €
    }

    [Fact]
    public async Task A_stopped_machine_is_refused_as_the_provider_rejecting_it()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 600") with { SkipLaunch = true });
        using var services = SessionMachinesOn();

        var e = await Assert.ThrowsAsync<SessionException>(() => services.GetRequiredService<SessionMachines>().ExecAsync(app, m.Id,
            new ExecRequest { Command = ExecCommand.Shell("true") }, CancellationToken.None));

        Assert.Equal(SessionErrorKind.MachineProviderRejected, e.Kind);
        Assert.Contains("412", e.Message);
    }

    /// <summary>A machine whose env holds what the agent keeps for itself, running <paramref name="script"/> in its rootfs.</summary>
    private async Task<(string App, string Id)> StartedAsync(string script)
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(script, c => c with
        {
            Env = new() { ["AGENTCLUSTER_SESSION_TOKEN"] = "session-secret", ["ANTHROPIC_API_KEY"] = "model-secret" },
            Restart = new MachineRestart { Policy = "no" },
        }));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        return (app, m.Id);
    }

    /// <summary>The node's <see cref="SessionMachines"/> on the emulator, with what it needs and no more.</summary>
    private ServiceProvider SessionMachinesOn()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FLY_API_URL"] = fly.Host.Url.ToString(),
            ["FLY_API_TOKEN"] = EmulatorHost.Token,
            ["FLY_APP_NAME"] = EmulatorHost.App,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddFlyMachinesClient(configuration, o => o.ClientRateLimits = false);
        services.AddOptions<AgentSessionOptions>();
        services.AddOptions<TelemetryOptions>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CallbackUrls>();
        services.AddSingleton<SessionMetrics>();
        services.AddSingleton<SessionMachines>();
        return services.BuildServiceProvider();
    }

    /// <summary>A Fly that records the one request it gets and answers <c>200</c> with a set body.</summary>
    private sealed class RecordingFly(string answer) : FakeHttpServer
    {
        public string? Request { get; private set; }
        public string? Body { get; private set; }

        public static Task<RecordingFly> StartAsync(string answer) => StartAsync(new RecordingFly(answer));

        protected override void Map(WebApplication app) => app.Run(async context =>
        {
            Request = $"{context.Request.Method} {context.Request.Path}";
            Body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        });
    }
}
