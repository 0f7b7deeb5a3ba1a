using AgentCluster.Agent;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

/// <summary>The agent's clocks on a fake TimeProvider: heartbeat interval, orphan timeout, backoff.</summary>
public sealed class AgentTimingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new();

    [Fact]
    public async Task A_heartbeat_goes_out_only_after_a_quiet_interval()
    {
        var orchestrator = new FakeOrchestrator();
        var heartbeats = new Heartbeats(orchestrator, TimeSpan.FromSeconds(10), time);
        using var stop = new CancellationTokenSource();
        var running = heartbeats.RunAsync(stop.Token);

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, orchestrator.Heartbeats);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await Eventually.TrueAsync(() => orchestrator.Heartbeats == 1, Deadline, "a heartbeat after 10 quiet seconds");

        // Something else reached the session: the next heartbeat is due 10 s after that, not after the last heartbeat.
        time.Advance(TimeSpan.FromSeconds(5));
        heartbeats.Sent();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, orchestrator.Heartbeats);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => orchestrator.Heartbeats == 2, Deadline, "a heartbeat 10 s after the last push");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task The_orphan_watch_ends_the_agent_only_after_the_timeout_without_answers()
    {
        // Time passes a tick at a time, as it does for a process that is not frozen (see FreezeTests).
        var clock = new ObservedClock();
        var orphans = new OrphanWatch(TimeSpan.FromSeconds(60), clock);
        var watching = orphans.WatchAsync(CancellationToken.None);

        await clock.RunForAsync(TimeSpan.FromSeconds(50), () => watching.IsCompleted);
        orphans.Answered();
        await clock.RunForAsync(TimeSpan.FromSeconds(59), () => watching.IsCompleted);
        Assert.False(watching.IsCompleted, "an answer 59 s ago keeps the agent alive");

        await clock.RunForAsync(TimeSpan.FromSeconds(1), () => watching.IsCompleted);
        var exit = await Assert.ThrowsAsync<AgentExit>(() => watching.WaitAsync(Deadline));
        Assert.Equal(3, exit.ExitCode);
        Assert.Contains("orphaned", exit.Message);
    }

    [Fact]
    public void Backoff_doubles_from_100_ms_to_at_most_5_s_with_jitter()
    {
        var backoff = new Backoff(new Random(7));
        var delays = Enumerable.Range(0, 12).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        for (var i = 0; i < delays.Count; i++)
        {
            var step = Math.Min(5000, 100 * Math.Pow(2, i));
            Assert.InRange(delays[i], step / 2, step);
        }
        Assert.True(delays.Distinct().Count() > 6, "jittered, not a fixed series");

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }

    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("0.5", 500)]
    [InlineData(" 1.5 ", 1_500)]
    [InlineData("00:00:10", 10_000)]
    [InlineData("00:05:00", 300_000)]
    public void Durations_are_seconds_or_a_timespan(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("NaN")]
    [InlineData("1,5")]
    [InlineData("00:00:00")]
    public void Durations_that_are_not_positive_are_refused(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }
}
