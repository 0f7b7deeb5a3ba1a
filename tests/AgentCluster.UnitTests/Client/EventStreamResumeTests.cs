using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;
using static AgentCluster.UnitTests.Client.ScriptedNode;

namespace AgentCluster.UnitTests.Client;

/// <summary>
/// StreamEventsAsync against a scripted node: it resumes after cuts, 5xx answers and refused connections with the
/// last event's id, after a bounded, growing backoff on the injected clock; it yields each event once, in order; it
/// ends after the terminal event; a 4xx is thrown at once.
/// </summary>
public sealed class EventStreamResumeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly RecordingTime time = new();
    private int passed;

    private AgentClusterClient Client(ScriptedNode node, int attempts = 12) => new(
        new HttpClient(node) { BaseAddress = new Uri("http://node.test/") },
        new AgentClusterOptions { ReconnectDelay = TimeSpan.FromSeconds(1), MaxReconnectDelay = TimeSpan.FromSeconds(3), MaxReconnectAttempts = attempts },
        time);

    [Fact]
    public async Task Cuts_and_5xx_are_resumed_from_the_last_event_with_each_event_yielded_once()
    {
        var node = new ScriptedNode(
            Stream(Frame(1) + Frame(2) + Frame(3) + "id: 4\nevent: agent.output\ndata: {\"se", cut: true), // cut mid-frame
            Problem(503),
            Refused(),
            Stream(Frame(2) + Frame(3) + Frame(4) + Frame(5) + Terminated(6)), // replays what was already yielded
            Stream(Frame(7))); // never asked for: the stream ended at the terminal event

        var reading = ReadAllAsync(Client(node), after: 0);
        // Each failure in a row waits twice as long as the one before, up to the cap; nothing is asked before it passes.
        await PassWaitAsync(reading, node, requests: 1, wait: TimeSpan.FromSeconds(1));
        await PassWaitAsync(reading, node, requests: 2, wait: TimeSpan.FromSeconds(2));
        await PassWaitAsync(reading, node, requests: 3, wait: TimeSpan.FromSeconds(3));
        var events = await reading;

        Assert.Equal([1, 2, 3, 4, 5, 6], events.Select(e => e.Seq));
        Assert.Equal([null, "3", "3", "3"], node.Requests.Select(r => r.LastEventId));
        Assert.All(node.Requests, r => Assert.Equal("/sessions/s-1/events", r.Path));
    }

    [Fact]
    public async Task The_backoff_starts_again_after_an_event_comes()
    {
        var node = new ScriptedNode(
            Stream(Frame(1), cut: true),
            Stream(Frame(2), cut: true),
            Stream(Terminated(3)));

        var reading = ReadAllAsync(Client(node), after: 0);
        await PassWaitAsync(reading, node, requests: 1, wait: TimeSpan.FromSeconds(1));
        await PassWaitAsync(reading, node, requests: 2, wait: TimeSpan.FromSeconds(1));

        Assert.Equal([1, 2, 3], (await reading).Select(e => e.Seq));
        Assert.Equal([null, "1", "2"], node.Requests.Select(r => r.LastEventId));
    }

    [Fact]
    public async Task A_4xx_is_thrown_at_once_and_not_retried()
    {
        var node = new ScriptedNode(Problem(404, "Session not found"));

        var e = await Assert.ThrowsAsync<SessionNotFoundException>(() => ReadAllAsync(Client(node), after: 0));

        Assert.Equal("Session not found: Try again.", e.Message);
        Assert.Equal(1, node.Count);
        Assert.Empty(time.Waits);
    }

    [Fact]
    public async Task A_4xx_on_a_reconnect_ends_the_stream_with_it()
    {
        var node = new ScriptedNode(Stream(Frame(1), cut: true), Problem(401, "Unauthorized"));

        var reading = ReadAllAsync(Client(node), after: 0);
        await PassWaitAsync(reading, node, requests: 1, wait: TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<UnauthorizedException>(() => reading);
        Assert.Equal(2, node.Count);
    }

    [Fact]
    public async Task It_gives_up_after_the_reconnects_allowed_and_throws_the_last_failure()
    {
        var node = new ScriptedNode(Problem(503), Problem(502), Problem(503, "Node shutting down"));

        var reading = ReadAllAsync(Client(node, attempts: 2), after: 5);
        await PassWaitAsync(reading, node, requests: 1, wait: TimeSpan.FromSeconds(1));
        await PassWaitAsync(reading, node, requests: 2, wait: TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<ServiceUnavailableException>(() => reading);
        Assert.Equal("Node shutting down", e.Title);
        Assert.Equal(["5", "5", "5"], node.Requests.Select(r => r.LastEventId));
    }

    [Fact]
    public async Task A_stream_that_ends_cleanly_is_resumed_unless_the_session_ended_before_it()
    {
        var node = new ScriptedNode(
            Stream(Frame(8)),                                                  // the node went away between events
            JsonAnswer("""{"session_id":"s-1","status":"running","last_event_id":9}"""),
            Stream(""),                                                        // and again, without an event
            JsonAnswer("""{"session_id":"s-1","status":"terminated","last_event_id":8}""")); // ended before: nothing more comes

        var reading = ReadAllAsync(Client(node), after: 7);
        await PassWaitAsync(reading, node, requests: 2, wait: TimeSpan.FromSeconds(1));

        Assert.Equal([8], (await reading).Select(e => e.Seq));
        Assert.Equal(["/sessions/s-1/events", "/sessions/s-1", "/sessions/s-1/events", "/sessions/s-1"], node.Requests.Select(r => r.Path));
        Assert.Equal(["7", null, "8", null], node.Requests.Select(r => r.LastEventId));
    }

    [Fact]
    public async Task Cancelling_ends_a_stream_waiting_to_reconnect()
    {
        var node = new ScriptedNode(Problem(503));
        using var cancel = new CancellationTokenSource();

        var reading = ReadAllAsync(Client(node), after: 0, cancel.Token);
        await Eventually.TrueAsync(() => time.Waits.Count == 1, Deadline, "the client waits to reconnect");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(1, node.Count);
    }

    /// <summary>Once the client has made <paramref name="requests"/> requests and waits <paramref name="wait"/>, moves the clock past it.</summary>
    private async Task PassWaitAsync(Task reading, ScriptedNode node, int requests, TimeSpan wait)
    {
        // The clock moved past the last wait may have run the client on to its next wait already: count them, not watch for a new one.
        var waits = passed++;
        await Eventually.TrueAsync(() => time.Waits.Count > waits || reading.IsCompleted, Deadline, $"the client waits after request {requests}");
        if (reading.IsCompleted) await reading; // it ended or failed instead: say how
        Assert.Equal(requests, node.Count);
        Assert.Equal(wait, time.Waits[waits]);
        time.Advance(wait - TimeSpan.FromTicks(1));
        Assert.Equal(requests, node.Count); // not a tick early
        time.Advance(TimeSpan.FromTicks(1));
    }

    private static async Task<List<SessionEvent>> ReadAllAsync(AgentClusterClient client, long after, CancellationToken ct = default)
    {
        await Task.Yield();
        var events = new List<SessionEvent>();
        await foreach (var e in client.StreamEventsAsync("s-1", after, ct)) events.Add(e);
        return events;
    }
}
