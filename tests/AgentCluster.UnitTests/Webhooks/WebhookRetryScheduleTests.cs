using AgentCluster.Silo.Options;
using AgentCluster.Silo.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Webhooks;

public class WebhookRetryScheduleTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_default_schedule_keeps_trying_for_more_than_a_day_then_gives_up()
    {
        var options = new WebhookOptions();
        var schedule = new WebhookRetrySchedule(options, () => 0.0); // the shortest spread: the window is at its least
        var first = time.GetUtcNow();
        var attempts = 1;
        while (schedule.NextAttempt(attempts, time.GetUtcNow()) is { } next)
        {
            Assert.True(next > time.GetUtcNow(), "each retry comes later than the failure before it");
            time.SetUtcNow(next);
            attempts++;
        }
        Assert.Equal(schedule.MaxAttempts, attempts);
        Assert.Equal(8, attempts);
        Assert.True(time.GetUtcNow() - first >= TimeSpan.FromHours(24), $"tried for {time.GetUtcNow() - first}");
    }

    [Fact]
    public void Backoff_grows_and_jitter_stays_within_its_fraction()
    {
        var options = new WebhookOptions { RetryDelays = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(100)], Jitter = 0.2 };
        var now = time.GetUtcNow();
        Assert.Equal(now + TimeSpan.FromSeconds(8), new WebhookRetrySchedule(options, () => 0.0).NextAttempt(1, now));
        Assert.Equal(now + TimeSpan.FromSeconds(10), new WebhookRetrySchedule(options, () => 0.5).NextAttempt(1, now));
        Assert.Equal(now + TimeSpan.FromSeconds(80), new WebhookRetrySchedule(options, () => 0.0).NextAttempt(2, now));
        Assert.Null(new WebhookRetrySchedule(options, () => 0.5).NextAttempt(3, now));
    }

    [Fact]
    public void A_longer_retry_after_is_honoured_up_to_the_next_delay()
    {
        var options = new WebhookOptions { RetryDelays = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)], Jitter = 0 };
        var schedule = new WebhookRetrySchedule(options, () => 0.5);
        var now = time.GetUtcNow();
        Assert.Equal(now + TimeSpan.FromSeconds(60), schedule.NextAttempt(1, now, retryAfter: TimeSpan.FromSeconds(60)));
        Assert.Equal(now + TimeSpan.FromMinutes(5), schedule.NextAttempt(1, now, retryAfter: TimeSpan.FromDays(3)));
        Assert.Equal(now + TimeSpan.FromSeconds(10), schedule.NextAttempt(1, now, retryAfter: TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Options_with_a_broken_schedule_are_refused_at_start_up()
    {
        var broken = new WebhookOptions { RetryDelays = [TimeSpan.Zero], Jitter = 1.5, AllowedTargets = ["10.0.0.0/99"], ReminderPeriod = TimeSpan.FromSeconds(5) };
        var problems = broken.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("Webhooks:RetryDelays must all be positive"));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:Jitter"));
        Assert.Contains(problems, p => p.Contains("10.0.0.0/99"));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:ReminderPeriod"));
        Assert.Empty(new WebhookOptions().Validate());
    }
}
