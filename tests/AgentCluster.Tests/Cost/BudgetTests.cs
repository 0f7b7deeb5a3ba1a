using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Tests.Infrastructure;
using F = AgentCluster.Tests.Cost.CostClusterFixture;

namespace AgentCluster.Tests.Cost;

/// <summary>
/// max_machine_seconds on the fake session clock: a warning once at 80%, the end at 100% with its machine
/// destroyed, checked by the reaper's sweep whether or not the agent calls in; asleep, nothing is spent.
/// </summary>
[Collection(CostClusterCollection.Name)]
public sealed class BudgetTests(CostClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_budget_warns_once_at_80_percent_and_then_terminates_the_session_with_budget_exceeded()
    {
        var (session, token, machineId) = await fixture.StartAsync(maxMachineSeconds: 100);
        Assert.Equal(1, (await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero))!.Turn);
        Assert.Equal(100, (await session.GetAsync())!.MaxMachineSeconds);

        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(79));
        Assert.Empty(await WarningsAsync(session));
        await fixture.BeatThroughAsync(session, token, Second);
        var warning = Payload(Assert.Single(await WarningsAsync(session)));
        Assert.Equal(WarningKinds.Budget, warning.GetProperty("kind").GetString());
        Assert.Equal((80d, 100L), (warning.GetProperty("machine_seconds").GetDouble(), warning.GetProperty("max_machine_seconds").GetInt64()));
        Assert.Equal(fixture.Clock.GetUtcNow() + TimeSpan.FromSeconds(20), warning.GetProperty("at").GetDateTimeOffset());

        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(19));
        Assert.Single(await WarningsAsync(session)); // once
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);

        await fixture.BeatThroughAsync(session, token, Second);
        var ended = (await session.GetAsync())!;
        Assert.Equal((SessionStatus.Terminated, TerminationReason.BudgetExceeded, 100d), (ended.Status, ended.Reason, ended.MachineSeconds));
        await Eventually.TrueAsync(async () => !await fixture.IsLiveAsync(machineId), Deadline, "the machine is destroyed");
        var last = (await SessionClusterFixture.ReadAllAsync(session, 0))[^1];
        Assert.Equal(TerminationReason.BudgetExceeded.Name(), Payload(last).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_budget_is_enforced_by_the_sweep_even_when_no_agent_ever_calls_in()
    {
        // 40 s of budget, inside the 60 s boot grace: only the budget can end this session before then.
        var (session, _, machineId) = await fixture.StartAsync(maxMachineSeconds: 40);
        await fixture.AdvanceAndSweepAsync(TimeSpan.FromSeconds(31));
        Assert.Empty(await WarningsAsync(session));
        await fixture.AdvanceAndSweepAsync(Second);
        Assert.Single(await WarningsAsync(session));
        await fixture.AdvanceAndSweepAsync(TimeSpan.FromSeconds(8));
        Assert.Equal(TerminationReason.BudgetExceeded, (await session.GetAsync())!.Reason);
        await Eventually.TrueAsync(async () => !await fixture.IsLiveAsync(machineId), Deadline, "the machine is destroyed");
    }

    [Fact]
    public async Task A_sleeping_session_spends_none_of_its_budget()
    {
        var (session, token, _) = await fixture.StartIdleAsync(maxMachineSeconds: 700);
        await fixture.BeatThroughAsync(session, token, F.IdleTimeout);
        var asleep = (await session.GetAsync())!;
        Assert.Equal((SessionStatus.Sleeping, 600d), (asleep.Status, asleep.MachineSeconds));
        Assert.Single(await WarningsAsync(session)); // at 560 s, before it slept

        await fixture.AdvanceAndSweepAsync(TimeSpan.FromHours(2));
        Assert.Equal(SessionStatus.Sleeping, (await session.GetAsync())!.Status);

        await session.SendMessageAsync("wake up");
        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(99), instance: "a2");
        Assert.NotEqual(SessionStatus.Terminated, (await session.GetAsync())!.Status);
        await fixture.BeatThroughAsync(session, token, Second, instance: "a2");
        Assert.Equal(TerminationReason.BudgetExceeded, (await session.GetAsync())!.Reason);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(30L * 24 * 3600 + 1)]
    public async Task A_budget_out_of_range_is_refused_naming_the_field_and_leaves_nothing_behind(long seconds)
    {
        var session = fixture.Session(SessionClusterFixture.NewId());
        var refused = await Assert.ThrowsAsync<SessionException>(() => session.StartAsync(new StartSession { Prompt = "x", MaxMachineSeconds = seconds }));
        Assert.Equal((SessionErrorKind.Invalid, "max_machine_seconds"), (refused.Kind, refused.Field));
        Assert.Null(await session.GetAsync());
    }

    private static async Task<List<SessionEvent>> WarningsAsync(ISessionGrain session) =>
        (await SessionClusterFixture.ReadAllAsync(session, 0)).Where(e => e.Type == EventTypes.SessionWarning).ToList();

    private static JsonElement Payload(SessionEvent e) => JsonDocument.Parse(e.Payload).RootElement;
}
