using AgentCluster.Agent;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

public sealed class EventOutboxTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly FakeOrchestrator orchestrator = new();
    private int acknowledged;

    private EventOutbox NewOutbox() => new(orchestrator, time, () => Interlocked.Increment(ref acknowledged));

    [Fact]
    public async Task Events_get_increasing_seqs_and_go_out_in_batches_of_at_most_100()
    {
        var outbox = NewOutbox();
        for (var i = 0; i < 250; i++) Assert.Equal(i + 1, outbox.Enqueue("agent.output", 1, "{}"));
        using var stop = new CancellationTokenSource();
        var running = outbox.RunAsync(stop.Token);

        Assert.True(await outbox.FlushAsync(Deadline, CancellationToken.None));
        var pushes = orchestrator.Pushes;
        Assert.Equal([100, 100, 50], pushes.Select(p => p.Count));
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), pushes.SelectMany(p => p).Select(e => e.Seq));
        Assert.All(pushes.SelectMany(p => p), e => Assert.Equal(time.GetUtcNow(), e.At));
        Assert.Equal(3, acknowledged);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task What_an_ack_does_not_cover_is_sent_again()
    {
        // The session stored only the first two of each batch.
        orchestrator.AckedSeq = batch => batch[0].Seq + 1;
        var outbox = NewOutbox();
        for (var i = 0; i < 5; i++) outbox.Enqueue("agent.output", 1, "{}");
        using var stop = new CancellationTokenSource();
        var running = outbox.RunAsync(stop.Token);

        Assert.True(await outbox.FlushAsync(Deadline, CancellationToken.None));
        Assert.Equal([[1L, 2, 3, 4, 5], [3L, 4, 5], [5L]], orchestrator.Pushes.Select(p => p.Select(e => e.Seq).ToArray()));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task Events_queued_later_wake_the_pusher()
    {
        var outbox = NewOutbox();
        using var stop = new CancellationTokenSource();
        var running = outbox.RunAsync(stop.Token);

        outbox.Enqueue("agent.output", 1, """{"text":"a"}""");
        await Eventually.TrueAsync(() => orchestrator.Pushes.Count == 1, Deadline, "the first event was pushed at once");
        outbox.Enqueue("turn.completed", 1, "{}");
        await Eventually.TrueAsync(() => orchestrator.Pushes.Count == 2, Deadline, "the second event was pushed at once");
        Assert.Equal(2, orchestrator.Pushes[1].Single().Seq);
        Assert.Equal(0, outbox.Pending);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task Flush_gives_up_after_its_timeout()
    {
        var outbox = NewOutbox();
        outbox.Enqueue("agent.output", 1, "{}");

        var flushing = outbox.FlushAsync(TimeSpan.FromSeconds(3), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.False(await flushing.WaitAsync(Deadline));
        Assert.Equal(1, outbox.Pending);
    }
}
