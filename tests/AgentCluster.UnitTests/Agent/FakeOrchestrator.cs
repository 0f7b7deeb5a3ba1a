using System.Diagnostics;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent;

namespace AgentCluster.UnitTests.Agent;

/// <summary>An in-memory orchestrator for the agent's loops: records calls and acknowledges as told.</summary>
internal sealed class FakeOrchestrator : IOrchestrator
{
    private readonly Lock gate = new();
    private readonly List<IReadOnlyList<AgentEvent>> pushes = [];
    private readonly Queue<AgentTurn?> turns = [];
    private readonly List<int> polls = [];
    private readonly TaskCompletionSource<int> interrupted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int heartbeats;

    /// <summary>The settings and credentials the agent's setup call gets.</summary>
    public AgentSetup Setup { get; set; } = new() { Settings = new AgentSettings() };

    /// <summary>The client interrupts <paramref name="turn"/>: its watch answers.</summary>
    public void Interrupt(int turn) => interrupted.TrySetResult(turn);

    /// <summary>What a push acknowledges, given the batch; by default all of it.</summary>
    public Func<IReadOnlyList<AgentEvent>, long> AckedSeq { get; set; } = batch => batch[^1].Seq;

    public IReadOnlyList<IReadOnlyList<AgentEvent>> Pushes { get { lock (gate) return pushes.ToList(); } }

    public int Heartbeats => Volatile.Read(ref heartbeats);

    /// <summary>The <c>after</c> of every poll.</summary>
    public IReadOnlyList<int> Polls { get { lock (gate) return polls.ToList(); } }

    /// <summary>What the next polls answer (null: 204); once they are used up, polls wait until cancelled.</summary>
    public void Answer(params AgentTurn?[] answers)
    {
        lock (gate) foreach (var answer in answers) turns.Enqueue(answer);
    }

    public Task<AgentAck> PushAsync(IReadOnlyList<AgentEvent> events, CancellationToken cancellationToken)
    {
        lock (gate) pushes.Add(events);
        return Task.FromResult(new AgentAck(AckedSeq(events), SessionStatus.Running));
    }

    public Task<AgentAck> HeartbeatAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref heartbeats);
        return Task.FromResult(new AgentAck(0, SessionStatus.Running));
    }

    public Task<AgentSetup> SetupAsync(CancellationToken cancellationToken) => Task.FromResult(Setup);

    public async Task<AgentInterrupt?> WatchInterruptAsync(int turn, CancellationToken cancellationToken)
    {
        var interruptedTurn = await interrupted.Task.WaitAsync(cancellationToken);
        if (interruptedTurn == turn) return new AgentInterrupt(turn);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    }

    public async Task<AgentTurn?> NextTurnAsync(int after, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            polls.Add(after);
            if (turns.TryDequeue(out var turn)) return turn;
        }
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    }
}
