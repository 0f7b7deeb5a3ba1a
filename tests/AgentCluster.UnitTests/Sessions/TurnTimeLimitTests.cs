using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>max_turn_seconds' decisions on a fake clock: nothing before the limit, the interrupt at it, the session's own end a grace later.</summary>
public sealed class TurnTimeLimitTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_turn_is_interrupted_at_its_limit_not_before_and_ended_by_the_session_a_grace_after_the_interrupt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T08:00:00Z"));
        var started = clock.GetUtcNow();
        Assert.Equal(started + TimeSpan.FromSeconds(60), TurnTimeLimit.CheckAt(60, started, null, Grace));

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TurnLimitStep.None, TurnTimeLimit.Due(60, started, null, Grace, clock.GetUtcNow()));
        clock.Advance(Second);
        Assert.Equal(TurnLimitStep.Interrupt, TurnTimeLimit.Due(60, started, null, Grace, clock.GetUtcNow()));

        var interrupted = clock.GetUtcNow();
        Assert.Equal(interrupted + Grace, TurnTimeLimit.CheckAt(60, started, interrupted, Grace));
        clock.Advance(Grace - Second);
        Assert.Equal(TurnLimitStep.None, TurnTimeLimit.Due(60, started, interrupted, Grace, clock.GetUtcNow()));
        clock.Advance(Second);
        Assert.Equal(TurnLimitStep.End, TurnTimeLimit.Due(60, started, interrupted, Grace, clock.GetUtcNow()));
    }

    [Fact]
    public void Without_a_limit_or_a_running_turn_there_is_nothing_to_check()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Null(TurnTimeLimit.CheckAt(null, now, null, Grace));
        Assert.Null(TurnTimeLimit.CheckAt(60, null, null, Grace));
        Assert.Equal(TurnLimitStep.None, TurnTimeLimit.Due(null, now - TimeSpan.FromDays(3), null, Grace, now));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(24L * 3600 + 1)]
    public void A_limit_out_of_range_is_refused_naming_the_field(long seconds)
    {
        var refused = Assert.Throws<SessionException>(() => TurnTimeLimit.Validate(seconds));
        Assert.Equal((SessionErrorKind.Invalid, "max_turn_seconds"), (refused.Kind, refused.Field));
        Assert.Contains(new AgentSessionOptions { MaxTurnSeconds = seconds }.Validate(), p => p.StartsWith("Sessions:MaxTurnSeconds must be", StringComparison.Ordinal));
    }

    [Fact]
    public void The_agents_interrupted_end_reads_timeout_and_keeps_its_usage_while_a_turn_that_finished_just_then_keeps_its_outcome()
    {
        var interrupted = EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, "interrupted", 3, new TokenUsage(10, 20), 0.5m);
        var relabelled = JsonNode.Parse(TurnTimeLimit.Relabel(interrupted, 120))!;
        Assert.Equal(TurnOutcomes.Timeout, relabelled["outcome"]!.GetValue<string>());
        Assert.Contains("120 s", relabelled["reason"]!.GetValue<string>());
        Assert.Equal(20, relabelled["usage"]!["output_tokens"]!.GetValue<long>());
        Assert.Equal(0.5m, relabelled["cost_usd"]!.GetValue<decimal>());

        var success = EventPayloads.TurnCompleted(TurnOutcomes.Success, exitCode: 0);
        Assert.Equal(success, TurnTimeLimit.Relabel(success, 120));
    }
}
