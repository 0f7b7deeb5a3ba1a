using AgentCluster.Abstractions.Sessions;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Hosting;
using AgentCluster.Tests.Cost;
using AgentCluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Tests.Telemetry;

/// <summary>
/// The AgentCluster meter as one node emits it (a MeterListener on the silo's meter factory), while the test
/// plays the agent and moves the session clock: each instrument moves when sessions, machines and agents do.
/// </summary>
[Collection(MetricsClusterCollection.Name)]
public sealed class SessionMetricsTests(CostClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sessions_by_status_go_up_and_down_and_machines_events_heartbeats_and_machine_time_are_counted()
    {
        using var metrics = new MetricRecorder(fixture.Meters);
        var (session, token, machineId) = await fixture.StartAsync();
        Assert.Equal(1, Live(metrics, SessionStatus.Starting));
        Assert.Equal(1, metrics.Sum("agentcluster.machines.created", ("cloud.region", "iad"), ("machine.guest", "shared-cpu-1x")));

        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        Assert.Equal((0, 1), (Live(metrics, SessionStatus.Starting), Live(metrics, SessionStatus.Running)));

        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        await session.AgentHeartbeatAsync(token, "a1");
        Assert.Contains(metrics.Of("agentcluster.agent.heartbeat.interval"), m => m.Value == 10 && m.Unit == "s");
        await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (1, "hello")) with
        {
            Events = [.. SessionClusterFixture.Output("a1", 1, (1, "hello")).Events, SessionClusterFixture.TurnCompleted(2, 1)],
        });
        Assert.Equal((0, 1), (Live(metrics, SessionStatus.Running), Live(metrics, SessionStatus.Idle)));

        fixture.Clock.Advance(TimeSpan.FromSeconds(20));
        await session.DeleteAsync();
        Assert.Equal(0, metrics.Sum("agentcluster.sessions"));
        Assert.Equal(1, metrics.Sum("agentcluster.sessions.terminated", ("reason", TerminationReason.Deleted.Name())));
        Assert.Equal(1, metrics.Sum("agentcluster.machines.destroyed", ("cloud.region", "iad"), ("machine.guest", "shared-cpu-1x")));
        Assert.Equal(30, metrics.Sum("agentcluster.machine.time", ("machine.guest", "shared-cpu-1x")));

        Assert.Equal(
            [(EventTypes.SessionStatus, 4), (EventTypes.UserMessage, 1), (EventTypes.AgentOutput, 1), (EventTypes.TurnCompleted, 1)],
            new[] { EventTypes.SessionStatus, EventTypes.UserMessage, EventTypes.AgentOutput, EventTypes.TurnCompleted }
                .Select(type => (type, (int)metrics.Sum("agentcluster.session.events", ("event.type", type)))));

        // The Fly client's calls, by Refit method and status; ids (and the token) never appear in any tag.
        var creates = metrics.Of("agentcluster.fly.request.duration", ("fly.endpoint", "CreateMachine"), ("http.response.status_code", 200));
        Assert.Single(creates);
        Assert.True(creates[0].Value > 0 && creates[0].Unit == "s");
        Assert.NotEmpty(metrics.Of("agentcluster.fly.request.duration", ("fly.endpoint", "DestroyMachine"), ("http.request.method", "DELETE")));
        var sessionId = (await session.GetAsync())!.SessionId;
        Assert.DoesNotContain(metrics.Of("agentcluster.fly.request.duration").Concat(metrics.Of("agentcluster.sessions")).SelectMany(m => m.Tags.Values),
            value => value?.ToString() is { } text && (text.Contains(sessionId) || text.Contains(machineId) || text.Contains(token)));
    }

    [Fact]
    public async Task Fly_api_errors_and_failed_machine_creates_are_counted_by_endpoint_and_status()
    {
        using var metrics = new MetricRecorder(fixture.Meters);
        var session = fixture.Session(SessionClusterFixture.NewId());
        await fixture.SetFaultsAsync(new FaultRule { Action = "machine.create", ServerErrorRate = 1, MaxErrors = 1 });
        try
        {
            await Assert.ThrowsAsync<SessionException>(() => session.StartAsync(new StartSession { Prompt = "echo hi" }));
        }
        finally
        {
            await fixture.SetFaultsAsync();
        }
        var failed = Assert.Single(metrics.Of("agentcluster.fly.request.errors", ("fly.endpoint", "CreateMachine")));
        var status = Assert.IsType<int>(failed.Tags["http.response.status_code"]);
        Assert.InRange(status, 500, 599); // the emulator's injected server error
        Assert.Equal(status.ToString(), failed.Tags["error.type"]);
        Assert.Single(metrics.Of("agentcluster.fly.request.duration", ("fly.endpoint", "CreateMachine"), ("http.response.status_code", status)));
        Assert.Equal(1, metrics.Sum("agentcluster.machines.failed", ("machine.guest", "shared-cpu-1x")));
        Assert.Equal(1, Live(metrics, SessionStatus.Starting)); // its create is still to be retried

        await session.StartAsync(new StartSession { Prompt = "echo hi" });
        Assert.Equal(1, metrics.Sum("agentcluster.machines.created"));
        await session.DeleteAsync();
        Assert.Equal(0, metrics.Sum("agentcluster.sessions"));
    }

    [Fact]
    public async Task A_session_is_counted_by_its_activation_and_no_longer_once_it_is_deactivated()
    {
        using var metrics = new MetricRecorder(fixture.Meters);
        var (session, _, _) = await fixture.StartAsync();
        Assert.Equal(1, Live(metrics, SessionStatus.Starting));

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.TrueAsync(() => Task.FromResult(Live(metrics, SessionStatus.Starting) == 0), Deadline, "the deactivated session is no longer counted");
        Assert.Equal(SessionStatus.Starting, (await session.GetAsync())!.Status); // a new activation counts it again
        Assert.Equal(1, Live(metrics, SessionStatus.Starting));
        await session.DeleteAsync();
        Assert.Equal(0, metrics.Sum("agentcluster.sessions"));
    }

    [Fact]
    public async Task Reaper_expirations_and_reconciliations_are_counted()
    {
        using var metrics = new MetricRecorder(fixture.Meters);
        var (expiring, _, _) = await fixture.StartAsync();
        await fixture.AdvanceAndSweepAsync(CostClusterFixture.BootGrace + TimeSpan.FromSeconds(1));
        Assert.Equal(TerminationReason.Expired, (await expiring.GetAsync())!.Reason);
        Assert.Equal(1, metrics.Sum("agentcluster.reaper.expirations", ("phase", "boot")));
        Assert.Equal(1, metrics.Sum("agentcluster.sessions.terminated", ("reason", TerminationReason.Expired.Name())));

        var (live, _, _) = await fixture.StartAsync();
        await fixture.Reaper.ReconcileAsync();
        Assert.Equal(1, metrics.Sum("agentcluster.reaper.reconciliations"));
        Assert.Equal(1, metrics.Sum("agentcluster.reaper.reconciled_machines", ("verdict", "kept")));
        await live.DeleteAsync();
    }

    [Fact]
    public async Task An_event_stream_is_counted_as_a_watcher_while_it_is_open()
    {
        using var metrics = new MetricRecorder(fixture.Meters);
        var (session, _, _) = await fixture.StartAsync();
        var id = (await session.GetAsync())!.SessionId;
        var drain = new NodeDrain(fixture.Silo.GetRequiredService<IHostApplicationLifetime>());
        var streams = ActivatorUtilities.CreateInstance<EventStream>(fixture.Silo,
            ActivatorUtilities.CreateInstance<SessionLogWatch>(fixture.Silo), ActivatorUtilities.CreateInstance<SseResponse>(fixture.Silo, drain));
        using var client = new CancellationTokenSource(Deadline);
        var context = new DefaultHttpContext { RequestAborted = client.Token };
        context.Response.Body = new MemoryStream();

        var serving = streams.ServeAsync(id, Silo.Options.ApiKeyOptions.LocalOwner, after: null, context);
        await Eventually.TrueAsync(() => Task.FromResult(metrics.Sum("agentcluster.sse.watchers") == 1), Deadline, "the stream is counted");
        await session.DeleteAsync(); // the stream ends after the terminated status
        await serving.WaitAsync(Deadline);
        Assert.Equal(0, metrics.Sum("agentcluster.sse.watchers"));
    }

    private static int Live(MetricRecorder metrics, SessionStatus status) => (int)metrics.Sum("agentcluster.sessions", ("status", status.Name()));
}
