using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Storage;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// One session's rules, with no Orleans in them: it holds the session's state and its deadlines, and given a
/// command and the time it changes the state and says what to do (<see cref="SessionChange"/>: save, log events,
/// wake the agent, destroy or stop the machine). <see cref="SessionGrain"/> carries that out. Each guarantee is one
/// named rule: the boot grace and heartbeat TTL (<see cref="AgentLiveness"/>), a turn's stall and time limit
/// (<see cref="CheckTurn"/>), idleness and retention (<see cref="CheckIdle"/>), the machine budget
/// (<see cref="MachineTime.Budget"/>), exactly-once turns (<see cref="TakeTurn"/>, <see cref="AgentPush"/>).
/// </summary>
public sealed class Session
{
    private readonly AgentSessionOptions options;
    private readonly TimeSpan destroyRetry;
    private readonly ILogger logger;

    public Session(string id, SessionState state, AgentSessionOptions options, ReaperOptions reaper, ILogger logger)
    {
        Id = id;
        State = state;
        this.options = options;
        destroyRetry = reaper.DestroyRetry;
        this.logger = logger;
        Agent = new AgentLiveness(options);
    }

    public string Id { get; }

    public SessionState State { get; }

    public AgentLiveness Agent { get; }

    public MachineTime Machine => new(State);

    private SessionState S => State;

    public bool Started => S.Status is not null;

    public bool Terminated => S.Status == SessionStatus.Terminated;

    public bool Asleep => S.SleepingSince is not null;

    /// <summary>Started, and still without a machine: its create is under way or waits its turn (<see cref="Queued"/>).</summary>
    public bool WaitsForMachine => Started && !Terminated && S.Creating && S.MachineId is null;

    /// <summary>How often a session waiting for Fly's create budget asks again (the queue is in memory: this keeps it whole).</summary>
    public static readonly TimeSpan QueueCheck = TimeSpan.FromSeconds(5);

    /// <summary>What the session's machine is made as (sessions stored before images were kept ran the default image).</summary>
    public MachineShape Shape => new(S.Image ?? options.AgentImage, Guest, S.Region ?? options.Region);

    /// <summary>Sessions stored before owners existed belong to the keyless owner.</summary>
    public string Owner => S.Owner ?? ApiKeyOptions.LocalOwner;

    /// <summary>The session's machine; sessions stored before guests were kept ran the node's default.</summary>
    public GuestSpec Guest => S.Guest ?? options.GuestFor(null);

    private bool TurnInProgress => S.DeliveredTurn > S.CompletedTurns;

    /// <summary>A task whose turns are done terminates in a moment (<see cref="EndTaskIfDone"/>): it does not go idle in between.</summary>
    private bool TaskDone => !Terminated && TaskMode.IsDone(S.Mode, S.CompletedTurns, S.Turns);

    private SessionStatus CurrentStatus =>
        Terminated ? SessionStatus.Terminated
        : Asleep ? SessionStatus.Sleeping
        : !S.AgentSeen ? SessionStatus.Starting
        : S.CompletedTurns < S.Turns ? SessionStatus.Running
        : SessionStatus.Idle;

    // ---- Checks every caller passes first ----

    public void EnsureStarted()
    {
        if (!Started) throw SessionException.NotFound(Id);
    }

    public void EnsureOpen()
    {
        EnsureStarted();
        if (Terminated) throw new SessionException(SessionErrorKind.Terminated, $"Session '{Id}' is terminated ({S.Reason?.Name()}).");
    }

    public void AuthorizeAgent(string token)
    {
        EnsureStarted();
        if (!SessionTokens.Matches(token, S.TokenHash))
            throw new SessionException(SessionErrorKind.Forbidden, $"This token does not belong to session '{Id}'.");
    }

    public void AuthorizeModel(string modelToken)
    {
        EnsureStarted();
        if (!SessionTokens.Matches(modelToken, S.ModelTokenHash))
            throw new SessionException(SessionErrorKind.Forbidden, $"This credential is not a model token of session '{Id}'.");
    }

    // ---- The session's life ----

    /// <summary>A new activation: the agent, seen before or not, gets its full grace from now.</summary>
    public void Activated(DateTimeOffset now) => Agent.Restart(now, S.AgentSeen);

    /// <summary>Refused before anything else: another owner's request can neither read nor resume the session.</summary>
    public void EnsureOwnedBy(string owner)
    {
        if (Started && Owner != owner)
            throw new SessionException(SessionErrorKind.Conflict,
                $"session_id '{Id}' is already in use; choose another, or leave session_id out to get a generated one.", "session_id");
    }

    /// <summary>
    /// A direct call that names its owner (<see cref="SessionCaller"/>) reaches only that owner's session: another
    /// owner's is answered as a missing one, as the front door answers another API key.
    /// </summary>
    public bool VisibleTo(string? caller) => Started && (caller is null || Owner == caller);

    public void EnsureVisibleTo(string? caller)
    {
        if (!VisibleTo(caller)) throw SessionException.NotFound(Id);
    }

    /// <summary>The workspace the session holds (taken before its machine is made, so that the machine mounts it).</summary>
    public void HoldWorkspace(string name, string volumeId) => (S.Workspace, S.WorkspaceVolumeId) = (name, volumeId);

    /// <summary>
    /// A new session: its state and its first two events. The caller saves the state before anything else (the
    /// token's hash is durable before any machine can use it), then logs the events.
    /// </summary>
    /// <param name="protectedEnv">The request's env, encrypted: kept for the session's life (a create that waits its turn, a restart's machine).</param>
    public IReadOnlyList<NewEvent> Open(StartSession request, string owner, string runtime, string? protectedApiKey, string tokenHash, string? traceParent, DateTimeOffset now,
        string? protectedEnv = null)
    {
        S.Status = SessionStatus.Starting;
        S.Owner = owner;
        S.Creating = true;
        S.CreatedAt = S.UpdatedAt = now;
        S.Runtime = runtime;
        S.Agent = request.Agent;
        S.ProtectedApiKey = protectedApiKey;
        S.ProtectedEnv = protectedEnv;
        S.Preset = request.Preset;
        S.IdleTimeout = request.IdleTimeout;
        S.Guest = options.GuestFor(request.Guest);
        S.MaxMachineSeconds = request.MaxMachineSeconds ?? options.MaxMachineSeconds;
        S.Mode = request.Mode ?? SessionModes.Session;
        S.MaxTurnSeconds = request.MaxTurnSeconds ?? options.MaxTurnSeconds;
        S.MaxModelUsd = request.MaxModelUsd;
        S.Region = request.Region ?? options.Region;
        S.Image = request.Image;
        S.Metadata = new Dictionary<string, string>(request.Metadata ?? new Dictionary<string, string>());
        S.TokenHash = tokenHash;
        S.Turns = 1;
        S.Pending = [new QueuedTurn(1, request.Prompt, traceParent)];
        Agent.Booting(now);
        return [NewEvent.Status(SessionStatus.Starting, null, 0), new(EventTypes.UserMessage, 1, EventPayloads.UserMessage(request.Prompt))];
    }

    /// <summary>A create whose outcome is unknown is tried again with a new token; the caller saves it before the machine can use it.</summary>
    public void Retoken(string tokenHash) => S.TokenHash = tokenHash;

    /// <summary>
    /// The session waits for Fly's create budget, at <paramref name="position"/> in the queue: said once on its stream.
    /// </summary>
    public SessionChange Queued(int position, DateTimeOffset now)
    {
        if (S.QueuedAt is not null) return SessionChange.None;
        S.QueuedAt = now;
        return new SessionChange().Then(new SessionStep.Save())
            .Then(new SessionStep.Append([NewEvent.Status(SessionStatus.Starting, null, S.Turns, position)]));
    }

    /// <summary>
    /// A request for the machine failed for now (Fly unavailable; after a restart, the workspace's volume not yet
    /// detached from the old machine): the session keeps asking as one waiting for the create budget does (every
    /// <see cref="QueueCheck"/>, failing after <see cref="AgentSessionOptions.MachineQueueTimeout"/>), rather than
    /// being reaped for an agent that could not boot.
    /// </summary>
    public SessionChange MachineDeferred(DateTimeOffset now)
    {
        if (!WaitsForMachine || S.QueuedAt is not null) return SessionChange.None;
        S.QueuedAt = now;
        return new SessionChange().Then(new SessionStep.Save());
    }

    /// <summary>The machine was made, adopted or taken from a pool: its agent has the boot grace to call in, and its time counts.</summary>
    public void MachineMade(SessionMachine machine, DateTimeOffset now, string? pool = null)
    {
        S.MachineId = machine.Id;
        S.MachineAddress = machine.PrivateIp;
        S.ProtectedControlKey = null; // the new machine's agent gets its own at setup
        S.App = machine.App;
        S.Pool = pool ?? S.Pool;
        S.Region = machine.Region ?? S.Region;
        S.Creating = false;
        S.QueuedAt = null;
        S.UpdatedAt = now;
        Machine.Started(now);
        Agent.Booting(now);
    }

    /// <summary>Fly rejected the machine: retrying cannot help until the operator fixes the configuration, so the session fails now.</summary>
    public SessionChange CreateRejected(string message, DateTimeOffset now)
    {
        S.Creating = false;
        return Terminate(new SessionChange(), TerminationReason.Failed, message, now);
    }

    public SessionChange Delete(DateTimeOffset now)
    {
        EnsureStarted();
        return Terminated ? SessionChange.None : Terminate(new SessionChange(), TerminationReason.Deleted, message: null, now);
    }

    /// <summary>
    /// Guarantee (restart): the session goes on on a new machine, made as for a new session (same id, settings, runtime,
    /// region, workspace, env). The old machine is destroyed first, and its agent shut out at once (its token and model
    /// token no longer match; its machine, should the destroy fail, is never adopted back: <see cref="Reconcile"/>).
    /// The turn it ran ends <c>interrupted</c> (reason <c>restarted</c>); queued turns wait for the new machine. A
    /// sleeping session restarts too. A session still waiting for its first machine has nothing to restart: it is
    /// answered as it is, and only a create that failed (none under way, none queued) is asked for again.
    /// </summary>
    public SessionChange Restart(DateTimeOffset now)
    {
        EnsureOpen();
        if (WaitsForMachine) return S.QueuedAt is null ? new SessionChange().Then(new SessionStep.RequestMachine()) : SessionChange.None;
        logger.Restarting(Id, S.MachineId);
        var events = new List<NewEvent>();
        if (TurnInProgress)
        {
            var turn = S.DeliveredTurn;
            S.InterruptedTurn = Math.Max(S.InterruptedTurn, turn); // an old agent still watching its turn stops it
            events.Add(new(EventTypes.TurnCompleted, turn, EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, exitCode: null, StatusReasons.Restarted)));
            CompleteTurn(turn);
        }
        var old = S.MachineId;
        Machine.Stopped(now);
        S.RetiredMachineId = old;
        (S.MachineId, S.MachineAddress, S.ProtectedControlKey, S.Pool) = (null, null, null, null);
        (S.TokenHash, S.ModelTokenHash) = (null, null);
        (S.Creating, S.QueuedAt, S.SleepingSince, S.AgentSeen) = (true, null, null, false);
        (S.DeliveredTo, S.TurnStartedAt, S.TurnTimedOutAt) = (null, null, null);
        S.Status = SessionStatus.Starting;
        Agent.Booting(now);
        // Saved before the destroy: the old agent is shut out and the machine known as retired before it goes.
        var change = new SessionChange().Then(new SessionStep.Save()).Then(new SessionStep.WakeAgent()).Then(new SessionStep.DestroyMachine(old));
        events.Add(new(EventTypes.SessionStatus, S.Turns, EventPayloads.StatusBecause(SessionStatus.Starting, StatusReasons.Restarted)));
        Commit(change, events, now, save: true);
        // A task whose last turn the restart ended is over now (Commit ended it): no new machine for it.
        return Terminated ? change : change.Then(new SessionStep.RequestMachine());
    }

    // ---- Turns ----

    /// <summary>What a message must pass before anything happens (a sleeping session's machine is started only then).</summary>
    public void EnsureCanQueue(string content)
    {
        EnsureOpen();
        StartSessionRules.ValidateContent("content", content, options);
        if (S.Pending.Count >= options.MaxQueuedTurns)
            throw new SessionException(SessionErrorKind.TooManyTurns, $"{S.Pending.Count} turns are already queued; wait for some to complete.");
    }

    private static readonly TimeSpan ReachedSlack = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A client reaches into the machine (an exec, a file) for up to <paramref name="holdFor"/>: the machine is not put to
    /// sleep under it, and the session's idle time starts over once that is past.
    /// </summary>
    public SessionChange Reached(TimeSpan holdFor, DateTimeOffset now)
    {
        EnsureOpen();
        var until = now + holdFor;
        // A call waiting for the machine asks again every 200 ms: a few seconds more are not worth a write each time.
        if (S.ReachedUntil >= until - ReachedSlack) return SessionChange.None;
        S.ReachedUntil = until;
        return new SessionChange().Then(new SessionStep.Save());
    }

    /// <summary>The address of a machine made before addresses were kept, as Fly lists it.</summary>
    public SessionChange MachineAddressFound(SessionMachine machine)
    {
        if (machine.Id != S.MachineId || machine.PrivateIp is null) return SessionChange.None;
        S.MachineAddress = machine.PrivateIp;
        return new SessionChange().Then(new SessionStep.Save());
    }

    /// <summary>A command a client ran in the machine, logged for audit (never its env, stdin or output).</summary>
    public SessionChange Exec(string command, int? exitCode, string via, DateTimeOffset now)
    {
        EnsureStarted();
        S.UpdatedAt = now;
        return new SessionChange().Then(new SessionStep.Append([new NewEvent(EventTypes.SessionExec, S.Turns, EventPayloads.Exec(command, exitCode, via))]));
    }

    /// <summary>The sleeping session's machine was started again: a new agent, with the boot grace of a new one.</summary>
    public void Woken(DateTimeOffset now)
    {
        S.SleepingSince = null;
        Machine.Started(now);
        S.AgentSeen = false;
        Agent.Booting(now);
    }

    /// <summary>A follow-up turn, queued for the agent.</summary>
    public (int Turn, SessionChange Change) Message(string content, string? traceParent, DateTimeOffset now)
    {
        EnsureCanQueue(content);
        var turn = ++S.Turns;
        S.Pending.Add(new QueuedTurn(turn, content, traceParent));
        var change = Commit(new SessionChange(), [new(EventTypes.UserMessage, turn, EventPayloads.UserMessage(content))], now, save: true);
        return (turn, change.Then(new SessionStep.WakeAgent()));
    }

    /// <summary>
    /// Stops the current turn: one the agent runs is interrupted through its watch on the turn (it then reports
    /// it interrupted); one it has not taken yet ends here and never runs.
    /// </summary>
    public (int Turn, SessionChange Change) Interrupt(DateTimeOffset now)
    {
        EnsureOpen();
        var current = S.Pending.FirstOrDefault()
            ?? throw new SessionException(SessionErrorKind.Conflict, $"Session '{Id}' has no turn running or queued: there is nothing to interrupt.");
        var change = new SessionChange();
        if (S.DeliveredTurn >= current.Turn)
        {
            S.InterruptedTurn = current.Turn;
            logger.Interrupted(Id, current.Turn);
            return (current.Turn, change.Then(new SessionStep.Save()).Then(new SessionStep.WakeAgent()));
        }
        CompleteTurn(current.Turn);
        return (current.Turn, Commit(change,
            [new(EventTypes.TurnCompleted, current.Turn, EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, exitCode: null, "interrupted before it started"))],
            now, save: true));
    }

    /// <summary>Whether the agent's watch on <paramref name="turn"/> should tell it to stop.</summary>
    public bool Interrupted(int turn)
    {
        EnsureOpen();
        return S.InterruptedTurn >= turn;
    }

    // ---- The agent ----

    /// <summary>The agent called (any call): it is alive, and the session is past starting.</summary>
    private void CalledIn(DateTimeOffset now)
    {
        S.AgentSeen = true;
        Agent.CalledIn(now);
    }

    public AgentAck Ack(long seq) => new(seq, S.Status ?? SessionStatus.Starting);

    public SessionChange Heartbeat(string instance, DateTimeOffset now)
    {
        AgentRules.ValidateInstance(instance);
        EnsureOpen();
        CalledIn(now);
        return Commit(new SessionChange(), [], now);
    }

    /// <summary>
    /// Guarantee (exactly-once events): the agent's events past what the log has from this agent process
    /// (<paramref name="logged"/>), in order, each once; a turn ends once, and a turn the session already ended
    /// (it stalled, or its process died) keeps that end. Returns the seq to acknowledge.
    /// </summary>
    public (long Acked, SessionChange Change) AgentPush(AgentEventBatch batch, AgentCursor logged, DateTimeOffset now)
    {
        AgentRules.Validate(batch);
        EnsureOpen();
        var stored = logged.Instance == batch.Instance ? logged.Seq : 0;
        var fresh = batch.Events.Where(e => e.Seq > stored).OrderBy(e => e.Seq).DistinctBy(e => e.Seq).ToList();
        if (fresh.FirstOrDefault(e => e.Turn < 0 || e.Turn > S.Turns) is { } stray)
            throw SessionException.Invalid("events.turn", $"turn {stray.Turn} does not exist (the session has {S.Turns}).");

        CalledIn(now);
        if (fresh.Count > 0) Agent.Spoke(now);
        var events = new List<NewEvent>(fresh.Count);
        foreach (var e in fresh)
        {
            var payload = e.Payload;
            if (e.Type == EventTypes.TurnCompleted)
            {
                if (e.Turn <= S.CompletedTurns) continue;
                payload = EndingOf(e.Turn, payload);
                CompleteTurn(e.Turn);
            }
            events.Add(new NewEvent(e.Type, e.Turn, payload, e.At));
        }
        var cursor = fresh.Count > 0 ? new AgentCursor(batch.Instance, fresh[^1].Seq) : null;
        return (cursor?.Seq ?? stored, Commit(new SessionChange(), events, now, agent: cursor));
    }

    /// <summary>
    /// Guarantee (exactly-once turns): the next turn for this agent process, if one is queued. A turn taken by a
    /// process that is gone (a new one asks from before it) ended with it: running it again could repeat side
    /// effects, so it is reported interrupted, not re-run.
    /// </summary>
    public (AgentTurn? Turn, SessionChange Change) TakeTurn(string instance, int afterTurn, DateTimeOffset now)
    {
        EnsureOpen();
        CalledIn(now);
        var events = new List<NewEvent>();
        if (S.DeliveredTurn > afterTurn && S.DeliveredTo != instance && S.DeliveredTurn > S.CompletedTurns)
        {
            events.Add(new(EventTypes.TurnCompleted, S.DeliveredTurn,
                EndingOf(S.DeliveredTurn, EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, exitCode: null))));
            CompleteTurn(S.DeliveredTurn);
        }
        var next = S.Pending.FirstOrDefault(t => t.Turn > afterTurn);
        if (next is not null)
        {
            S.DeliveredTurn = next.Turn;
            S.DeliveredTo = instance;
            Agent.Spoke(now); // the stall clock of a turn starts when the agent takes it
            S.TurnStartedAt = now; // and its time limit's
            S.TurnTimedOutAt = null;
        }
        var change = Commit(new SessionChange(), events, now, save: next is not null);
        return (next is null ? null : new AgentTurn(next.Turn, next.Content, next.TraceParent), change);
    }

    /// <summary>The end of a turn as its agent reported it, or as the session reports a dead agent's: <c>timeout</c> once the limit interrupted it.</summary>
    private string EndingOf(int turn, string payload) =>
        turn == S.DeliveredTurn && S.TurnTimedOutAt is not null && S.MaxTurnSeconds is { } max ? TurnTimeLimit.Relabel(payload, max) : payload;

    private void CompleteTurn(int turn)
    {
        if (turn <= S.CompletedTurns) return;
        S.CompletedTurns = turn;
        S.Pending.RemoveAll(t => t.Turn <= turn);
    }

    // ---- The model gateway ----

    /// <summary>
    /// An agent process set up, with fresh credentials; those handed out before die with the process that had them: its
    /// model token's hash (a model runtime's; null otherwise) and the control key a node presents to its control server
    /// (encrypted). One write for both.
    /// </summary>
    public SessionChange AgentSetUp(string? modelTokenHash, string protectedControlKey)
    {
        if (modelTokenHash is not null) S.ModelTokenHash = modelTokenHash;
        S.ProtectedControlKey = protectedControlKey;
        return new SessionChange().Then(new SessionStep.Save());
    }

    private bool ModelBudgetSpent => S.MaxModelUsd is { } max && S.ModelCostUsd >= max;

    /// <summary>Guarantee: the session's model gateway refuses calls once max_model_usd is spent.</summary>
    public ModelGrant AuthorizeModelCall(string modelToken)
    {
        AuthorizeModel(modelToken);
        EnsureOpen();
        if (ModelBudgetSpent)
            throw new SessionException(SessionErrorKind.Forbidden,
                $"Session '{Id}' has spent its model budget: ${S.ModelCostUsd} of max_model_usd ${S.MaxModelUsd}. Start a session with a larger max_model_usd to go on.",
                ModelBudget.Field);
        return new ModelGrant { ProtectedApiKey = S.ProtectedApiKey };
    }

    /// <summary>A model call's usage, counted even once the session has ended: a call under way when it ended was still spent.</summary>
    public SessionChange ModelUsed(string? model, TokenUsage usage, DateTimeOffset now)
    {
        S.ModelUsage = (S.ModelUsage ?? TokenUsage.None).Plus(usage);
        if (model is not null && ModelPrices.Estimate(model, usage) is { } cost) S.ModelCostUsd += cost;
        var events = new List<NewEvent>();
        if (!Terminated && ModelBudgetSpent && !S.ModelBudgetWarned)
        {
            S.ModelBudgetWarned = true;
            logger.ModelBudgetSpent(Id, S.MaxModelUsd!.Value, S.ModelCostUsd);
            events.Add(new(EventTypes.SessionWarning, S.Turns, EventPayloads.ModelBudgetWarning(
                $"The session's model calls have cost ${S.ModelCostUsd} of its max_model_usd ${S.MaxModelUsd}: its model gateway refuses further calls.",
                now, S.ModelCostUsd, S.MaxModelUsd!.Value)));
        }
        return Commit(new SessionChange(), events, now, save: true);
    }

    // ---- Deadlines ----

    /// <summary>When the reaper should next look at this session; null when there is nothing left to watch.</summary>
    public DateTimeOffset? NextCheck(DateTimeOffset now)
    {
        if (!Started) return null;
        if (Terminated) return S.MachineDestroyPending ? now + destroyRetry : null;
        if (WaitsForMachine && S.QueuedAt is not null) return now + QueueCheck;
        if (S.SleepingSince is { } asleep) return asleep + options.RetentionTimeout;
        DateTimeOffset? other =
            TurnInProgress ? Agent.StallCheckAt
            : S.Status == SessionStatus.Idle ? IdleEnds
            : null;
        if (Machine.BudgetCheckAt is { } budget && !(other <= budget)) other = budget;
        if (TurnLimitCheckAt is { } limit && !(other <= limit)) other = limit;
        return other < Agent.HeartbeatDeadline ? other : Agent.HeartbeatDeadline;
    }

    private TimeSpan IdleTimeout => S.IdleTimeout ?? options.IdleTimeout;

    private DateTimeOffset? TurnLimitCheckAt =>
        TurnInProgress ? TurnTimeLimit.CheckAt(S.MaxTurnSeconds, S.TurnStartedAt, S.TurnTimedOutAt, options.TurnTimeoutGrace) : null;

    /// <summary>The reaper asks: every deadline that passed is acted on, each announced in the event stream first.</summary>
    public SessionChange Check(DateTimeOffset now)
    {
        var change = new SessionChange();
        if (!Started) return change;
        if (Terminated)
        {
            // A machine not destroyed yet: tried again.
            return S.MachineDestroyPending ? change.Then(new SessionStep.DestroyMachine(S.MachineId)).Then(new SessionStep.Save()) : change;
        }
        if (!Asleep && CheckBudget(change, now)) return change;
        if (S.SleepingSince is { } asleep)
        {
            // Guarantee: a sleeping session nobody comes back to ends after its retention.
            return now >= asleep + options.RetentionTimeout ? Terminate(change, TerminationReason.Idle, message: null, now) : change;
        }
        if (WaitsForMachine && S.QueuedAt is { } queued) return CheckQueued(change, queued, now);
        if (Agent.Expired(now)) return Expire(change, now);
        if (TurnInProgress) return CheckTurn(change, now);
        return CheckIdle(change, now);
    }

    /// <summary>The budget of machine-seconds: warned at 80%, ended at 100%; true when the session ended.</summary>
    private bool CheckBudget(SessionChange change, DateTimeOffset now)
    {
        switch (Machine.Budget(now))
        {
            case BudgetStep.End:
                logger.BudgetExceeded(Id, S.MaxMachineSeconds!.Value, S.MachineId);
                Terminate(change, TerminationReason.BudgetExceeded, message: null, now);
                return true;
            case BudgetStep.Warn:
                var used = Machine.SecondsAt(now);
                var max = S.MaxMachineSeconds!.Value;
                Commit(change, [new(EventTypes.SessionWarning, S.Turns, EventPayloads.BudgetWarning(
                    $"The machine has run for {used:0} of the session's {max} machine-seconds; the session ends when it has run for all of them.",
                    now + TimeSpan.FromSeconds(Math.Max(0, max - used)), used, max))], now, save: true);
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Guarantee: a session waiting for its machine asks again for it (a pool machine may be ready by now, and a queue
    /// lost with its node learns of it again); one that waited for <see cref="AgentSessionOptions.MachineQueueTimeout"/> fails.
    /// </summary>
    private SessionChange CheckQueued(SessionChange change, DateTimeOffset queued, DateTimeOffset now)
    {
        if (now - queued < options.MachineQueueTimeout) return change.Then(new SessionStep.RequestMachine());
        S.Creating = false;
        return Terminate(change, TerminationReason.Failed,
            $"No machine could be made for the session within {options.MachineQueueTimeout.TotalMinutes:0.#} min (Sessions:MachineQueueTimeout): Fly's create budget was spent or Fly did not answer.", now);
    }

    /// <summary>Guarantee: an agent that did not call in within the boot grace, or the TTL since its last call, is reaped.</summary>
    private SessionChange Expire(SessionChange change, DateTimeOffset now)
    {
        var why = S.AgentSeen
            ? $"No heartbeat from the agent for {options.HeartbeatTtl.TotalSeconds:0} s"
            : $"The agent did not call in within the boot grace of {options.BootGrace.TotalSeconds:0} s";
        logger.Expired(Id, why, S.MachineId);
        Commit(change, [new(EventTypes.SessionWarning, S.Turns,
            EventPayloads.Warning(WarningKinds.ReapPending, $"{why}: its machine is being destroyed.", now))], now);
        return Terminate(change, TerminationReason.Expired, message: null, now);
    }

    /// <summary>The running turn's limits: its wall-clock limit (max_turn_seconds), then its stall rule.</summary>
    private SessionChange CheckTurn(SessionChange change, DateTimeOffset now)
    {
        var turn = S.DeliveredTurn;
        var max = S.MaxTurnSeconds.GetValueOrDefault();
        var grace = options.TurnTimeoutGrace;
        switch (TurnTimeLimit.Due(S.MaxTurnSeconds, S.TurnStartedAt, S.TurnTimedOutAt, grace, now))
        {
            case TurnLimitStep.Interrupt:
                S.TurnTimedOutAt = now;
                S.InterruptedTurn = turn;
                logger.TurnTimedOut(Id, turn, max);
                Commit(change, [new(EventTypes.SessionWarning, turn, EventPayloads.Warning(WarningKinds.TurnTimeout,
                    $"Turn {turn} ran for its {max} s (max_turn_seconds): it is being interrupted, and ends at the latest at {now + grace:O}.",
                    now + grace, turn))], now, save: true);
                change.Then(new SessionStep.WakeAgent()); // the agent's watch on its turn answers now
                break;
            case TurnLimitStep.End:
                CompleteTurn(turn);
                return Commit(change, [new(EventTypes.TurnCompleted, turn, EventPayloads.TurnCompleted(TurnOutcomes.Timeout, exitCode: null,
                    reason: $"{TurnTimeLimit.Reason(max)}, and the agent did not stop it within {grace.TotalSeconds:0} s of the interrupt"))], now);
        }
        switch (Agent.Stall(now))
        {
            case StallStep.Warn:
                var failsAt = now + options.StallGrace;
                logger.Silent(Id, turn);
                return Commit(change, [new(EventTypes.SessionWarning, turn, EventPayloads.Warning(WarningKinds.Stalled,
                    $"The agent has said nothing in turn {turn} for {options.StallTimeout.TotalMinutes:0.#} min; the turn fails at {failsAt:O} unless it does.",
                    failsAt, turn))], now);
            case StallStep.Fail:
                CompleteTurn(turn);
                return Commit(change, [new(EventTypes.TurnCompleted, turn, EventPayloads.TurnCompleted(TurnOutcomes.Failed, exitCode: null,
                    reason: $"stalled: no output for {Agent.SilentFor(now).TotalMinutes:0.#} min"))], now);
            default:
                return change;
        }
    }

    /// <summary>When an idle session falls asleep: its idle timeout after it went idle, or after a client last reached into its machine.</summary>
    private DateTimeOffset IdleEnds => (S.ReachedUntil is { } reached && reached > S.IdleSince ? reached : S.IdleSince) + IdleTimeout;

    /// <summary>Guarantee: a session idle for its idle timeout has its machine suspended or stopped, not destroyed; the next message starts it again.</summary>
    private SessionChange CheckIdle(SessionChange change, DateTimeOffset now)
    {
        if (S.Status != SessionStatus.Idle || now < IdleEnds) return change;
        logger.Sleeping(Id, S.IdleSince, S.MachineId);
        return change.Then(new SessionStep.SleepMachine(S.MachineId!));
    }

    /// <summary>The idle session's machine stopped: it is asleep, and its retention counts from now.</summary>
    /// <param name="mode">Suspended, its agent wakes as the same process with the same control key; stopped, it boots a new agent, which sets up again.</param>
    public SessionChange MachineStopped(DateTimeOffset now, SleepMode mode = SleepMode.Suspend)
    {
        S.SleepingSince = now;
        if (mode == SleepMode.Stop) S.ProtectedControlKey = null;
        Machine.Stopped(now);
        return Commit(new SessionChange(), [], now, save: true);
    }

    /// <summary>What became of the machine's destroy: done, or still pending (the reaper's next check tries again).</summary>
    public void MachineDestroyed(MachineOutcome outcome)
    {
        if (outcome.Succeeded) S.MachineDestroyPending = false;
    }

    /// <summary>What to do with a live machine tagged with this session that the reaper found.</summary>
    public MachineVerdict Reconcile(string machineId, TimeSpan seenFor, TimeSpan orphanGrace)
    {
        var young = seenFor < orphanGrace;
        if (S.MachineId == machineId && !Terminated) return MachineVerdict.Kept;
        // A create that made the machine but whose answer was lost, and nobody asked again: the session takes it back
        // (never the machine a restart replaced, whose destroy failed: it is destroyed below).
        if (!Terminated && S.MachineId is null && S.Creating && machineId != S.RetiredMachineId) return young ? MachineVerdict.Spared : MachineVerdict.Adopted;
        if (!Started && young) return MachineVerdict.Spared;
        // Its session is over or unknown (a create whose session record never made it), or it is a second one.
        logger.DestroyingStray(machineId, Id, S.Status?.Name() ?? "unknown");
        return MachineVerdict.Destroyed;
    }

    /// <summary>A stray machine was destroyed: true when it was the session's own, whose destroy was pending (the caller saves).</summary>
    public bool StrayDestroyed(string machineId)
    {
        if (machineId != S.MachineId || !S.MachineDestroyPending) return false;
        S.MachineDestroyPending = false;
        return true;
    }

    // ---- The end ----

    private SessionChange Terminate(SessionChange change, TerminationReason reason, string? message, DateTimeOffset now)
    {
        S.Status = SessionStatus.Terminated;
        S.Reason = reason;
        S.Pending.Clear();
        S.MachineDestroyPending = true;
        S.UpdatedAt = now;
        Machine.Stopped(now);
        change.Then(new SessionStep.Save())
            .Then(new SessionStep.WakeAgent()) // waiting polls wake up and learn the session is over
            .Then(new SessionStep.DestroyMachine(S.MachineId));
        if (S.Workspace is { } workspace) change.Then(new SessionStep.ReleaseWorkspace(Owner, workspace));
        var events = new List<NewEvent>();
        if (message is not null) events.Add(new(EventTypes.SessionError, S.Turns, EventPayloads.Error(message)));
        events.Add(NewEvent.Status(SessionStatus.Terminated, reason, S.Turns));
        logger.Terminated(Id, reason.Name());
        return Commit(change, events, now, save: true);
    }

    /// <summary>Guarantee: a task (mode: task) whose turns are all done ends, <c>completed</c> when its last turn succeeded, else <c>failed</c>.</summary>
    private void EndTaskIfDone(SessionChange change, DateTimeOffset now)
    {
        if (Terminated || TaskMode.EndReason(S.Mode, S.CompletedTurns, S.Turns, S.Results.Last?.Outcome) is not { } reason) return;
        logger.TaskDone(Id, S.CompletedTurns, reason.Name());
        Terminate(change, reason, message: null, now);
    }

    /// <summary>
    /// Adds a change's events to <paramref name="change"/>: with a <c>session.status</c> event when the status moved,
    /// the state saved first when it changed in a way that must survive (never for a mere heartbeat, whose deadline
    /// lives in memory). State first: if the node dies in between, the agent's unacknowledged batch is sent again
    /// and applied again, harmlessly.
    /// </summary>
    private SessionChange Commit(SessionChange change, List<NewEvent> events, DateTimeOffset now, bool save = false, AgentCursor? agent = null)
    {
        var status = CurrentStatus;
        var all = events;
        if (status != S.Status && !(status == SessionStatus.Idle && TaskDone))
        {
            S.Status = status;
            if (status == SessionStatus.Idle) S.IdleSince = now;
            all = [.. events, NewEvent.Status(status, S.Reason, S.Turns)];
            save = true;
        }
        if (all.Count > 0) S.UpdatedAt = now;
        var shell = !AgentRuntimes.CallsModel(S.Runtime);
        foreach (var e in events) S.Results.Observe(e.Type, e.Turn, e.Payload, e.At ?? now, shell);
        if (save || events.Any(e => e.Type == EventTypes.TurnCompleted)) change.Then(new SessionStep.Save());
        if (all.Count > 0 || agent is not null) change.Then(new SessionStep.Append(all, agent));
        EndTaskIfDone(change, now);
        return change;
    }
}
