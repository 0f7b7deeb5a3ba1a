using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Webhooks;

public class WebhookQueueTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly WebhookState state;
    private readonly WebhookQueue queue;
    private readonly WebhookOptions options = new() { RetryDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5)], Jitter = 0, MaxQueued = 3 };

    public WebhookQueueTests()
    {
        state = new WebhookState { Events = [WebhookEvents.TurnCompleted, WebhookEvents.SessionTerminated], CreatedAt = time.GetUtcNow() };
        queue = new WebhookQueue(state, options, new WebhookRetrySchedule(options, () => 0.5));
    }

    private SessionEvent Event(long seq, string type, string payload = "{}") => new() { Seq = seq, Type = type, Payload = payload, At = time.GetUtcNow() };

    private SessionEvent[] ATurnThenTheEnd() =>
    [
        Event(1, EventTypes.SessionStatus, """{"status":"running"}"""),
        Event(2, EventTypes.AgentOutput),
        Event(3, EventTypes.TurnCompleted, """{"outcome":"success"}"""),
        Event(4, EventTypes.SessionWarning), // not subscribed
        Event(5, EventTypes.SessionStatus, """{"status":"terminated","reason":"completed"}"""),
    ];

    [Fact]
    public void Subscribed_events_are_queued_once_in_log_order_however_often_they_are_read()
    {
        Assert.True(queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow()));
        Assert.False(queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow())); // a repeated poke, a re-read: nothing new
        Assert.Equal([(3L, WebhookEvents.TurnCompleted), (5L, WebhookEvents.SessionTerminated)], state.Queue.Select(d => (d.Seq, d.Type)));
        Assert.Equal(5, queue.CursorOf("s1"));
        Assert.Empty(queue.OpenSessions); // its end is read: no need to read it again on the reminder
        Assert.Equal("msg_s1_3", state.Queue[0].WebhookId);
    }

    [Fact]
    public void Only_the_head_is_due_and_a_failure_holds_back_the_rest_until_its_retry()
    {
        queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow());
        var head = queue.Due(time.GetUtcNow())!;
        queue.Failed(head, "HTTP 500", time.GetUtcNow());
        Assert.Null(queue.Due(time.GetUtcNow())); // the second delivery does not overtake the first
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(5), queue.NextDue);

        time.Advance(TimeSpan.FromSeconds(5));
        var retry = queue.Due(time.GetUtcNow())!;
        Assert.Equal((3L, 1), (retry.Seq, retry.Attempts));
        queue.Delivered(retry, time.GetUtcNow());
        Assert.Equal(5, queue.Due(time.GetUtcNow())!.Seq);
        Assert.Equal(1, state.DeliveredTotal);
        Assert.Equal("HTTP 500", state.LastError);
    }

    [Fact]
    public void After_its_last_attempt_a_delivery_is_given_up_and_the_queue_moves_on()
    {
        queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow());
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var head = queue.Due(time.GetUtcNow())!;
            Assert.Equal(3, head.Seq);
            queue.Failed(head, "timed out", time.GetUtcNow());
            if (queue.NextDue is { } due && due > time.GetUtcNow()) time.SetUtcNow(due);
        }
        Assert.Equal(5, queue.Due(time.GetUtcNow())!.Seq);
        Assert.Equal(1, state.FailedTotal);
        Assert.Contains("msg_s1_3", state.LastError);
        Assert.Contains("3 attempts", state.LastError);
    }

    [Fact]
    public void A_delivery_whose_event_is_gone_is_given_up_at_its_first_failure()
    {
        queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow());
        queue.Failed(queue.Due(time.GetUtcNow())!, "event 3 of session s1 is no longer in its log", time.GetUtcNow(), final: true);
        Assert.Equal(5, queue.Due(time.GetUtcNow())!.Seq); // not retried: the next one is due at once
        Assert.Equal(1, state.FailedTotal);
        Assert.Contains("given up after 1 attempts", state.LastError);
    }

    [Fact]
    public void The_sweep_reads_again_only_sessions_whose_end_is_unread()
    {
        queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow());
        queue.Take("s2", [Event(1, EventTypes.SessionStatus, """{"status":"running"}""")], time.GetUtcNow());
        Assert.True(queue.HasReadEnd("s1"));
        Assert.False(queue.HasReadEnd("s2")); // open
        Assert.False(queue.HasReadEnd("s3")); // never heard of: its first poke may have been lost
    }

    [Fact]
    public void Events_before_the_subscription_are_not_delivered()
    {
        var old = Event(3, EventTypes.TurnCompleted) with { At = time.GetUtcNow() - TimeSpan.FromMinutes(1) };
        queue.Take("s0", [old, Event(4, EventTypes.TurnCompleted)], time.GetUtcNow());
        Assert.Equal([4L], state.Queue.Select(d => d.Seq));
    }

    [Fact]
    public void A_full_queue_gives_up_its_oldest()
    {
        foreach (var s in new[] { "a", "b", "c", "d" }) queue.Take(s, [Event(1, EventTypes.TurnCompleted)], time.GetUtcNow());
        Assert.Equal(["b", "c", "d"], state.Queue.Select(d => d.SessionId));
        Assert.Equal(1, state.FailedTotal);
        Assert.Equal(4, queue.OpenSessions.Count); // still watched: their ends are to come
    }

    [Fact]
    public void A_finished_sessions_cursor_is_kept_for_a_while_then_forgotten()
    {
        queue.Take("s1", ATurnThenTheEnd(), time.GetUtcNow());
        time.Advance(WebhookQueue.EndedCursorKept + TimeSpan.FromMinutes(1));
        queue.Take("s2", [Event(1, EventTypes.AgentOutput)], time.GetUtcNow());
        Assert.Equal(0, queue.CursorOf("s1"));
        Assert.Equal(1, queue.CursorOf("s2"));
    }
}
