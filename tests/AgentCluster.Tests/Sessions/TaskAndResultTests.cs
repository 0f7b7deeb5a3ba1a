using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Tests.Cost;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// One-shot tasks, the result in the view and max_turn_seconds, on the real SessionGrain with a fake session
/// clock (the test plays the agent, moves the clock and sweeps): each deadline to the second, both sides of it.
/// </summary>
[Collection(CostClusterCollection.Name)]
public sealed class TaskAndResultTests(CostClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30); // Sessions:TurnTimeoutGrace's default

    [Fact]
    public async Task A_task_runs_a_turn_queued_before_its_first_ended_then_terminates_completed_and_its_machine_is_destroyed()
    {
        var (session, token, machineId) = await StartAsync(new StartSession { Prompt = "echo one", Mode = SessionModes.Task });
        Assert.Equal(SessionModes.Task, (await session.GetAsync())!.Mode);
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        Assert.Equal(2, await session.SendMessageAsync("echo two"));
        await session.AgentPushAsync(token, Batch(1, 1, (EventTypes.AgentOutput, """{"stream":"stdout","text":"one"}"""), (EventTypes.TurnCompleted, Success)));
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);
        Assert.True(await fixture.IsLiveAsync(machineId));

        Assert.Equal(2, (await session.AgentNextTurnAsync(token, "a1", 1, TimeSpan.Zero))!.Turn);
        await session.AgentPushAsync(token, Batch(2, 3, (EventTypes.AgentOutput, """{"stream":"stdout","text":"two"}"""), (EventTypes.TurnCompleted, Success)));

        var ended = (await session.GetAsync())!;
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Completed), (ended.Status, ended.Reason));
        Assert.Equal((2, TurnOutcomes.Success, "two"), (ended.Result!.Turn, ended.Result.Outcome, ended.Result.Text));
        await Eventually.TrueAsync(async () => !await fixture.IsLiveAsync(machineId), Deadline, "the machine is destroyed at once, no reaper needed");
        var events = await EventsAsync(session);
        Assert.Equal(TerminationReason.Completed.Name(), Payload(events[^1]).GetProperty("reason").GetString());
        Assert.Equal([SessionStatus.Starting, SessionStatus.Running, SessionStatus.Terminated], // never idle on its way out
            events.Where(e => e.Type == EventTypes.SessionStatus).Select(e => SessionWireNames.ParseStatus(Payload(e).GetProperty("status").GetString())!.Value));
        Assert.Equal(SessionErrorKind.Terminated, (await Assert.ThrowsAsync<SessionException>(() => session.SendMessageAsync("more"))).Kind);
    }

    [Fact]
    public async Task A_task_whose_last_turn_failed_terminates_failed_and_a_session_in_the_default_mode_stays()
    {
        var (task, taskToken, _) = await StartAsync(new StartSession { Prompt = "exit 3", Mode = SessionModes.Task });
        var (kept, keptToken, _) = await StartAsync(new StartSession { Prompt = "exit 3" });
        foreach (var (session, token) in new[] { (task, taskToken), (kept, keptToken) })
        {
            await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
            await session.AgentPushAsync(token, Batch(1, 1, (EventTypes.TurnCompleted, """{"outcome":"error","exit_code":3}""")));
        }
        var failed = (await task.GetAsync())!;
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Failed, 3), (failed.Status, failed.Reason, failed.Result!.ExitCode));
        var idle = (await kept.GetAsync())!;
        Assert.Equal((SessionStatus.Idle, SessionModes.Session, TurnOutcomes.Error), (idle.Status, idle.Mode, idle.Result!.Outcome));
        await kept.DeleteAsync();
    }

    [Fact]
    public async Task The_result_and_the_refused_tool_calls_are_in_the_view_and_outlive_the_activation()
    {
        var (session, token, _) = await StartAsync(new StartSession { Prompt = "write primes.py", Runtime = AgentRuntimes.ClaudeCode, ApiKey = new SecretText("sk-ant-test") });
        Assert.Null((await session.GetAsync())!.Result);
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        await session.AgentPushAsync(token, Batch(1, 1,
            (EventTypes.AgentOutput, """{"stream":"text","text":"I'll write it."}"""),
            (EventTypes.AgentOutput, """{"stream":"text","text":"Prim","delta":true}"""),
            (EventTypes.AgentOutput, """{"stream":"text","text":"Primes: 2 3 5 7"}"""),
            (EventTypes.TurnCompleted, """{"outcome":"success","num_turns":3,"usage":{"input_tokens":50,"output_tokens":9},"cost_usd":0.004,"denied_tools":2}""")));
        await session.SendMessageAsync("again");
        await session.AgentNextTurnAsync(token, "a1", 1, TimeSpan.Zero);
        await session.AgentPushAsync(token, Batch(2, 5, (EventTypes.TurnCompleted, """{"outcome":"success","denied_tools":1}""")));
        var turnOne = await FinishedAtAsync(session, 1);

        await fixture.Cluster.DeactivateAsync(session);
        var view = (await session.GetAsync())!;
        Assert.Equal(3, view.DeniedTools);
        Assert.Equal(new TurnResult { Turn = 2, Outcome = TurnOutcomes.Success, FinishedAt = view.Result!.FinishedAt, DeniedTools = 1 }, view.Result);
        Assert.True(view.Result.FinishedAt >= turnOne);
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_model_turns_result_holds_its_final_text_usage_and_cost()
    {
        var (session, token, _) = await StartAsync(new StartSession { Prompt = "primes", Runtime = AgentRuntimes.Anthropic, ApiKey = new SecretText("sk-ant-test") });
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        await session.AgentPushAsync(token, Batch(1, 1,
            (EventTypes.AgentOutput, """{"stream":"text","text":"The script prints: 2 3 5 7"}"""),
            (EventTypes.TurnCompleted, """{"outcome":"success","usage":{"input_tokens":50,"output_tokens":9},"cost_usd":0.004,"denied_tools":2}""")));
        var result = (await session.GetAsync())!.Result!;
        Assert.Equal(("The script prints: 2 3 5 7", new TokenUsage(50, 9), 0.004m, 2), (result.Text, result.Usage, result.CostUsd, result.DeniedTools));
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_turn_past_max_turn_seconds_from_when_the_agent_took_it_is_interrupted_on_the_agents_watch_and_its_end_reads_timeout()
    {
        var (session, token, _) = await StartAsync(new StartSession { Prompt = "sleep 600", MaxTurnSeconds = 120 });
        Assert.Equal(120, (await session.GetAsync())!.MaxTurnSeconds);
        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(40)); // booting: the turn's clock has not started
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);

        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(119));
        Assert.Null(await session.AgentWatchTurnAsync(token, 1, TimeSpan.Zero));
        Assert.DoesNotContain(await EventsAsync(session), e => e.Type == EventTypes.SessionWarning);

        await fixture.BeatThroughAsync(session, token, Second);
        Assert.Equal(new AgentInterrupt(1), await session.AgentWatchTurnAsync(token, 1, TimeSpan.Zero));
        var warning = Payload(Assert.Single(await EventsAsync(session), e => e.Type == EventTypes.SessionWarning));
        Assert.Equal((WarningKinds.TurnTimeout, 1), (warning.GetProperty("kind").GetString(), warning.GetProperty("turn").GetInt32()));
        Assert.Equal(fixture.Clock.GetUtcNow() + Grace, warning.GetProperty("at").GetDateTimeOffset());

        // The agent stops it as it stops any interrupted turn; the session tells why.
        await session.AgentPushAsync(token, Batch(1, 1, (EventTypes.TurnCompleted, EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, null, 2, new TokenUsage(7, 3), 0.01m))));
        var end = Payload((await EventsAsync(session)).Single(e => e.Type == EventTypes.TurnCompleted));
        Assert.Equal(TurnOutcomes.Timeout, end.GetProperty("outcome").GetString());
        Assert.Contains("120 s", end.GetProperty("reason").GetString());
        Assert.Equal(3, end.GetProperty("usage").GetProperty("output_tokens").GetInt64());
        var view = (await session.GetAsync())!;
        Assert.Equal((SessionStatus.Idle, TurnOutcomes.Timeout), (view.Status, view.Result!.Outcome));

        // The next turn has a clock of its own.
        await session.SendMessageAsync("echo quick");
        await session.AgentNextTurnAsync(token, "a1", 1, TimeSpan.Zero);
        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(119));
        Assert.Null(await session.AgentWatchTurnAsync(token, 2, TimeSpan.Zero));
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_turn_its_agent_does_not_stop_is_ended_timeout_by_the_session_a_grace_after_the_interrupt()
    {
        var (session, token, _) = await StartAsync(new StartSession { Prompt = "sleep 600", MaxTurnSeconds = 20, Mode = SessionModes.Task });
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(20));
        Assert.Equal(new AgentInterrupt(1), await session.AgentWatchTurnAsync(token, 1, TimeSpan.Zero));

        // Alive (it heartbeats) but deaf to the interrupt.
        await fixture.BeatThroughAsync(session, token, Grace - Second);
        Assert.DoesNotContain(await EventsAsync(session), e => e.Type == EventTypes.TurnCompleted);
        await fixture.BeatThroughAsync(session, token, Second);
        var end = Payload((await EventsAsync(session)).Single(e => e.Type == EventTypes.TurnCompleted));
        Assert.Equal(TurnOutcomes.Timeout, end.GetProperty("outcome").GetString());
        Assert.Contains("did not stop it within 30 s", end.GetProperty("reason").GetString());
        var view = (await session.GetAsync())!;
        Assert.Equal((TerminationReason.Failed, TurnOutcomes.Timeout), (view.Reason, view.Result!.Outcome)); // a task that timed out failed
    }

    [Fact]
    public async Task A_bad_mode_or_turn_limit_is_refused_naming_the_field_and_leaves_nothing_behind()
    {
        foreach (var (request, field) in new[]
                 {
                     (new StartSession { Prompt = "x", Mode = "oneshot" }, "mode"),
                     (new StartSession { Prompt = "x", MaxTurnSeconds = 0 }, "max_turn_seconds"),
                     (new StartSession { Prompt = "x", MaxTurnSeconds = 86_401 }, "max_turn_seconds"),
                 })
        {
            var session = fixture.Session(SessionClusterFixture.NewId());
            var refused = await Assert.ThrowsAsync<SessionException>(() => session.StartAsync(request));
            Assert.Equal((SessionErrorKind.Invalid, field), (refused.Kind, refused.Field));
            Assert.Null(await session.GetAsync());
        }
    }

    private const string Success = """{"outcome":"success","exit_code":0}""";

    private async Task<(ISessionGrain Session, string Token, string MachineId)> StartAsync(StartSession request)
    {
        var session = fixture.Session(SessionClusterFixture.NewId());
        var machineId = (await session.StartAsync(request)).Session.MachineId!;
        return (session, await fixture.AgentTokenAsync(machineId), machineId);
    }

    /// <summary>Events of one turn from agent process a1, numbered from <paramref name="firstSeq"/>.</summary>
    private static AgentEventBatch Batch(int turn, long firstSeq, params (string Type, string Payload)[] events) =>
        new("a1", events.Select((e, i) => new AgentEvent { Seq = firstSeq + i, Type = e.Type, Turn = turn, Payload = e.Payload }).ToList());

    private static async Task<DateTimeOffset> FinishedAtAsync(ISessionGrain session, int turn) =>
        (await EventsAsync(session)).Single(e => e.Type == EventTypes.TurnCompleted && e.Turn == turn).At;

    private static Task<List<SessionEvent>> EventsAsync(ISessionGrain session) => SessionClusterFixture.ReadAllAsync(session, 0);

    private static JsonElement Payload(SessionEvent e) => JsonDocument.Parse(e.Payload).RootElement;
}
