using System.Diagnostics;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>Asks for the next turn, runs it, reports how it ended, asks again: one turn at a time, in order.</summary>
internal sealed class TurnLoop(IOrchestrator orchestrator, IAgentRuntime runtime, EventOutbox outbox, TimeProvider time, AgentLog log)
{
    /// <summary>The least time between two empty polls, should a node answer 204 without holding the poll.</summary>
    public static readonly TimeSpan MinEmptyPoll = TimeSpan.FromSeconds(1);

    /// <summary>Runs until cancelled; a turn running then is interrupted and still reported.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The highest turn this process started: a restarted agent starts again from 0 and the session decides.
        var after = 0;
        while (true)
        {
            var asked = time.GetTimestamp();
            var turn = await orchestrator.NextTurnAsync(after, cancellationToken);
            if (turn is null)
            {
                var early = MinEmptyPoll - time.GetElapsedTime(asked);
                if (early > TimeSpan.Zero) await Task.Delay(early, time, cancellationToken);
                continue;
            }
            StartupTimeline.Mark(StartupTimeline.FirstTurnReceived);
            after = Math.Max(after, turn.Turn);
            log.Write($"turn {turn.Turn} started");
            // Under the request that queued the turn; its events are pushed under it.
            using var span = AgentTracing.StartTurn(turn, runtime.Name);
            var outcome = await RunInterruptibleAsync(turn, cancellationToken);
            outbox.Enqueue(EventTypes.TurnCompleted, turn.Turn, outcome.ToPayload(), span?.Context ?? default);
            AgentTracing.Ended(span, outcome);
            log.Write($"turn {turn.Turn} {outcome.Outcome}" + (outcome.ExitCode is { } code ? $" exit_code={code}" : ""));
            StartupTimeline.WriteOnce(log);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Runs the turn while holding the interrupt watch for it, so that a client's interrupt reaches the runtime
    /// as cancellation within one round trip: the agent always holds one poll, the next turn's or this one.
    /// </summary>
    private async Task<TurnOutcome> RunInterruptibleAsync(AgentTurn turn, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = WatchAsync(turn.Turn, stop);
        try
        {
            return await RunTurnAsync(turn, stop.Token);
        }
        finally
        {
            await stop.CancelAsync();
            await watch;
        }
    }

    private async Task WatchAsync(int turn, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (await orchestrator.WatchInterruptAsync(turn, stop.Token) is null) continue;
                log.Write($"turn {turn} interrupted by the client");
                await stop.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (AgentExit)
        {
            // The session is over: the turn stops; the heartbeats and the next poll end the agent.
            await stop.CancelAsync();
        }
    }

    private async Task<TurnOutcome> RunTurnAsync(AgentTurn turn, CancellationToken cancellationToken)
    {
        try
        {
            using var tools = new ToolSpans(Activity.Current);
            using var events = new TurnEvents(outbox, turn.Turn, time, tools);
            return await runtime.RunTurnAsync(turn, events, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return TurnOutcome.Interrupted();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A runtime's failure ends its turn, not the agent: the session hears why and the next turn may work.
            log.Write($"turn {turn.Turn} failed in the {runtime.Name} runtime: {e.Message}");
            outbox.Enqueue(EventTypes.SessionError, turn.Turn, EventPayloads.Error($"{runtime.Name} runtime: {e.Message}"));
            return TurnOutcome.Error();
        }
    }
}
