using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent;
using AgentCluster.Agent.Runtimes;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

public sealed class TurnLoopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new();
    private readonly FakeOrchestrator orchestrator = new();

    private (TurnLoop Loop, EventOutbox Outbox) NewLoop(IAgentRuntime runtime)
    {
        var outbox = new EventOutbox(orchestrator, time, () => { });
        return (new TurnLoop(orchestrator, runtime, outbox, time, new AgentLog(TextWriter.Null)), outbox);
    }

    [Fact]
    public async Task Empty_polls_answered_at_once_are_spaced_out()
    {
        orchestrator.Answer(null, null, null);
        var (loop, _) = NewLoop(new ThrowingRuntime());
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        Assert.Single(orchestrator.Polls);
        time.Advance(TurnLoop.MinEmptyPoll);
        await Eventually.TrueAsync(() => orchestrator.Polls.Count == 2, Deadline, "the second poll after the minimum interval");
        time.Advance(TurnLoop.MinEmptyPoll - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, orchestrator.Polls.Count);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_failing_runtime_ends_its_turn_with_an_error_and_the_loop_goes_on()
    {
        orchestrator.Answer(new AgentTurn(4, "anything"));
        var (loop, outbox) = NewLoop(new ThrowingRuntime());
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);
        var pushing = outbox.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => orchestrator.Polls.Count == 2, Deadline, "the loop polled again");
        Assert.Equal([0, 4], orchestrator.Polls);
        await Eventually.TrueAsync(() => outbox.Pending == 0 && orchestrator.Pushes.Count > 0, Deadline, "the turn's events were pushed");
        var events = orchestrator.Pushes.SelectMany(p => p).ToList();
        Assert.Equal([EventTypes.SessionError, EventTypes.TurnCompleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(4, e.Turn));
        Assert.Equal("""{"outcome":"error"}""", events[1].Payload);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(running, pushing));
    }

    [Fact]
    public async Task An_interrupt_cancels_the_running_turn_which_is_reported_as_interrupted_and_the_next_turn_runs()
    {
        orchestrator.Answer(new AgentTurn(1, "long"), new AgentTurn(2, "short"));
        var runtime = new WaitingRuntime();
        var (loop, outbox) = NewLoop(runtime);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);
        var pushing = outbox.RunAsync(stop.Token);

        await runtime.Started.Task.WaitAsync(Deadline);
        orchestrator.Interrupt(1);
        await Eventually.TrueAsync(() => orchestrator.Polls.Count == 3, Deadline, "the loop went on to turn 2 and polled again");
        await Eventually.TrueAsync(() => outbox.Pending == 0, Deadline, "the turns' events were pushed");
        var completed = orchestrator.Pushes.SelectMany(p => p).Where(e => e.Type == EventTypes.TurnCompleted).ToList();
        Assert.Equal([(1, """{"outcome":"interrupted"}"""), (2, """{"outcome":"success"}""")], completed.Select(e => (e.Turn, e.Payload)));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(running, pushing));
    }

    /// <summary>Turn "long" waits until cancelled; any other turn succeeds at once.</summary>
    private sealed class WaitingRuntime : IAgentRuntime
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "waiting";

        public async Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken)
        {
            if (turn.Content != "long") return TurnOutcome.Success();
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class ThrowingRuntime : IAgentRuntime
    {
        public string Name => "throwing";

        public Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no such tool");
    }
}
