using System.Runtime.CompilerServices;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Secrets;
using AgentCluster.Silo.Storage;
using AgentCluster.Silo.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The single owner of one session: its machine, its turns, its heartbeat deadline, its ordered event log and
/// its live watchers. Small state goes to grain storage; events go to the append-only log and are durable
/// before they are acknowledged or shown to anyone. Its deadlines (expiry, stall, idle, retention) are in
/// SessionGrain.Upkeep.cs.
/// </summary>
[GrainType("session")]
public sealed partial class SessionGrain(
    [PersistentState("session", ClusterHosting.StorageName)] IPersistentState<SessionState> state,
    ISessionEventLog log,
    ISessionCatalog catalog,
    IReaperSchedule schedule,
    SessionMachines machines,
    IOptions<AgentSessionOptions> options,
    IOptions<ReaperOptions> reaperOptions,
    IOptions<ModelOptions> models,
    SessionSecrets secrets,
    SessionMetrics metrics,
    MachinePrices prices,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, ISessionUpkeepGrain
{
    private const int ReplayPage = 256;

    private readonly SessionWatchers watchers = new();

    // Held by every change of state or log: see Exclusively.
    private readonly SemaphoreSlim changes = new(1, 1);

    private TaskCompletionSource turnQueued = NewSignal();
    private EventLogHead head = EventLogHead.Empty;

    // The terminal session.status is in the log. Not the same as Terminated: between the two, the machine is
    // being destroyed, and a watcher that stopped at "terminated" then would miss the event that says so.
    private bool ended;

    private string Id => this.GetPrimaryKeyString();
    private SessionState S => state.State;
    private bool Started => S.Status is not null;
    private bool Terminated => S.Status == SessionStatus.Terminated;
    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Sessions stored before owners existed belong to the keyless owner.</summary>
    private string Owner => S.Owner ?? ApiKeyOptions.LocalOwner;

    private static string OwnerOf(StartSession request) => request.Owner ?? ApiKeyOptions.LocalOwner;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        head = await log.ReadHeadAsync(Id, cancellationToken);
        ended = Terminated;
        RestartDeadlines();
        ResumeMetering();
    }

    Task<StartResult> ISessionGrain.StartAsync(StartSession request) => Exclusively(() => StartAsync(request));

    private async Task<StartResult> StartAsync(StartSession request)
    {
        // Another owner's id: refused before anything else, so its request can neither read nor resume the session.
        if (Started && Owner != OwnerOf(request))
            throw new SessionException(SessionErrorKind.Conflict,
                $"session_id '{Id}' is already in use; choose another, or leave session_id out to get a generated one.", "session_id");
        if (Started && !S.Creating) return new StartResult(View(), Created: false);
        using var span = NodeTracing.StartSessionSpan(NodeTracing.SessionStart, Id);
        StartSessionRules.Validate(request, options.Value);
        if (!Started) RequireModelKey(RuntimeOf(request), request);
        request = await AcquireWorkspaceAsync(request);

        // A new token each attempt; only its hash is kept, and it is persisted before any machine can use it.
        var token = SessionTokens.New();
        var resumed = S.Creating;
        if (!resumed) await RecordNewSessionAsync(request, token);
        else
        {
            S.TokenHash = SessionTokens.Hash(token);
            await state.WriteStateAsync();
        }

        var machine = resumed && await machines.FindAsync(Id) is { } existing
            ? await machines.AdoptAsync(existing.Id, token)
            : await CreateMachineAsync(request, token);
        span?.SetTag(NodeTracing.RuntimeTag, S.Runtime).SetTag(NodeTracing.MachineIdTag, machine.Id);
        S.MachineId = machine.Id;
        S.Region = machine.Region ?? S.Region;
        S.Creating = false;
        S.UpdatedAt = Now;
        MachineStarted();
        heartbeatDeadline = Now + options.Value.BootGrace;
        await state.WriteStateAsync();
        LogStarted(Id, machine.Id, S.Region);
        return new StartResult(View(), Created: true);
    }

    private async Task RecordNewSessionAsync(StartSession request, string token)
    {
        var now = Now;
        S.Status = SessionStatus.Starting;
        S.Owner = OwnerOf(request);
        S.Creating = true;
        S.CreatedAt = S.UpdatedAt = now;
        S.Runtime = RuntimeOf(request);
        S.Agent = request.Agent;
        S.ProtectedApiKey = request.ApiKey is { } key ? secrets.Protect(key.Value) : null;
        S.Preset = request.Preset;
        S.IdleTimeout = request.IdleTimeout;
        S.Guest = options.Value.GuestFor(request.Guest);
        S.MaxMachineSeconds = request.MaxMachineSeconds ?? options.Value.MaxMachineSeconds;
        S.Mode = request.Mode ?? SessionModes.Session;
        S.MaxTurnSeconds = request.MaxTurnSeconds ?? options.Value.MaxTurnSeconds;
        S.MaxModelUsd = request.MaxModelUsd;
        S.Region = request.Region ?? options.Value.Region;
        S.Metadata = new Dictionary<string, string>(request.Metadata ?? new Dictionary<string, string>());
        S.TokenHash = SessionTokens.Hash(token);
        S.Turns = 1;
        S.Pending = [new QueuedTurn(1, request.Prompt, NodeTracing.EnqueueTurn(Id, 1))];
        heartbeatDeadline = now + options.Value.BootGrace;
        await state.WriteStateAsync();
        // Both only once the session is durable; independent of each other, so one round trip for the two.
        await Task.WhenAll(
            catalog.AddAsync(Owner, Id, now),
            AppendAsync(
            [
                new(EventTypes.SessionStatus, 0, EventPayloads.Status(SessionStatus.Starting, null)),
                new(EventTypes.UserMessage, 1, EventPayloads.UserMessage(request.Prompt)),
            ]));
    }

    private async Task<AgentCluster.Fly.Models.Machine> CreateMachineAsync(StartSession request, string token)
    {
        try
        {
            var machine = await machines.CreateAsync(Id, request, S.Runtime!, S.Region!, token, S.WorkspaceVolumeId);
            metrics.MachineCreated(machine.Region ?? S.Region, GuestSize);
            return machine;
        }
        catch (SessionException e)
        {
            metrics.MachineFailed(S.Region, GuestSize);
            if (e.Kind != SessionErrorKind.MachineProviderRejected) throw;
            // Retrying cannot help until the operator fixes the configuration: the session fails now.
            S.Creating = false;
            await TerminateAsync(TerminationReason.Failed, e.Message);
            throw;
        }
    }

    Task<SessionView?> ISessionGrain.GetAsync() => Task.FromResult(Started ? View() : null);

    Task<int> ISessionGrain.SendMessageAsync(string content) => Exclusively(() => SendMessageAsync(content));

    private async Task<int> SendMessageAsync(string content)
    {
        EnsureOpen();
        StartSessionRules.ValidateContent("content", content, options.Value);
        if (S.Pending.Count >= options.Value.MaxQueuedTurns)
            throw new SessionException(SessionErrorKind.TooManyTurns, $"{S.Pending.Count} turns are already queued; wait for some to complete.");
        if (S.SleepingSince is not null) await WakeAsync();
        var turn = ++S.Turns;
        S.Pending.Add(new QueuedTurn(turn, content, NodeTracing.EnqueueTurn(Id, turn)));
        await CommitAsync([new(EventTypes.UserMessage, turn, EventPayloads.UserMessage(content))], forceWrite: true);
        Signal();
        return turn;
    }

    Task<SessionView> ISessionGrain.DeleteAsync() => Exclusively(DeleteAsync);

    private async Task<SessionView> DeleteAsync()
    {
        if (!Started) throw SessionException.NotFound(Id);
        if (!Terminated) await TerminateAsync(TerminationReason.Deleted, message: null);
        return View();
    }

    async IAsyncEnumerable<SessionEvent> ISessionGrain.WatchAsync(long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Started) throw SessionException.NotFound(Id);
        var watcher = watchers.Add();
        try
        {
            var seen = Math.Max(0, afterSeq);
            while (true)
            {
                // Behind the log (a fresh watcher, a gap, or a lagging one): read what is stored.
                while (seen < head.LastSeq)
                {
                    var page = await log.ReadAsync(Id, seen, ReplayPage, cancellationToken);
                    if (page.Count == 0) break; // nothing stored past here (yet): wait for live events
                    foreach (var stored in page)
                    {
                        yield return stored;
                        seen = stored.Seq;
                        if (IsEnd(stored)) yield break;
                    }
                }
                if (ended && seen >= head.LastSeq) yield break;

                // Buffered events are taken without a wait (and without a token to hold it): the common case under load.
                if (!watcher.TryRead(out var live))
                {
                    using var held = HeldCalls.Hold(GrainContext, cancellationToken);
                    try { live = await watcher.ReadAsync(held.Token); }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { throw HeldCalls.Moving(Id); }
                }
                if (live.Seq != seen + 1) continue; // already seen, or after a gap the log fills on the next pass
                yield return live;
                seen = live.Seq;
                if (IsEnd(live)) yield break;
            }
        }
        finally
        {
            watchers.Remove(watcher);
        }
    }

    Task<AgentAck> ISessionGrain.AgentPushAsync(string token, AgentEventBatch batch) => Exclusively(() => AgentPushAsync(token, batch));

    private async Task<AgentAck> AgentPushAsync(string token, AgentEventBatch batch)
    {
        AuthorizeAgent(token);
        AgentRules.Validate(batch);
        EnsureOpen();
        var stored = head.Agent.Instance == batch.Instance ? head.Agent.Seq : 0;
        var fresh = batch.Events.Where(e => e.Seq > stored).OrderBy(e => e.Seq).DistinctBy(e => e.Seq).ToList();
        if (fresh.FirstOrDefault(e => e.Turn < 0 || e.Turn > S.Turns) is { } stray)
            throw SessionException.Invalid("events.turn", $"turn {stray.Turn} does not exist (the session has {S.Turns}).");

        AgentCalledIn();
        if (fresh.Count > 0) AgentSpoke();
        var events = new List<NewEvent>(fresh.Count);
        foreach (var e in fresh)
        {
            if (e.Type == EventTypes.TurnCompleted)
            {
                // A turn ends once: one the session already ended (it stalled, or its process died) keeps that end.
                if (e.Turn <= S.CompletedTurns) continue;
                CompleteTurn(e.Turn);
            }
            events.Add(new NewEvent(e.Type, e.Turn, e.Type == EventTypes.TurnCompleted ? EndingOf(e.Turn, e.Payload) : e.Payload, e.At));
        }
        var cursor = fresh.Count > 0 ? new AgentCursor(batch.Instance, fresh[^1].Seq) : null;
        await CommitAsync(events, agent: cursor);
        return Ack(cursor?.Seq ?? stored);
    }

    Task<AgentAck> ISessionGrain.AgentHeartbeatAsync(string token, string instance) => Exclusively(() => AgentHeartbeatAsync(token, instance));

    private async Task<AgentAck> AgentHeartbeatAsync(string token, string instance)
    {
        AuthorizeAgent(token);
        AgentRules.ValidateInstance(instance);
        EnsureOpen();
        AgentCalledIn();
        await CommitAsync([]);
        return Ack(head.Agent.Instance == instance ? head.Agent.Seq : 0);
    }

    async Task<AgentTurn?> ISessionGrain.AgentNextTurnAsync(string token, string instance, int afterTurn, TimeSpan wait, CancellationToken cancellationToken)
    {
        AuthorizeAgent(token);
        AgentRules.ValidateInstance(instance);
        var until = PollDeadline(wait);
        while (true)
        {
            var queued = turnQueued.Task;
            if (await Exclusively(() => TakeTurnAsync(instance, afterTurn), cancellationToken) is { } turn) return turn;
            if (!await WaitForChangeAsync(queued, until, cancellationToken)) return null;
        }
    }

    private DateTimeOffset PollDeadline(TimeSpan wait) => Now + (wait > AgentProtocol.MaxPollWait ? AgentProtocol.MaxPollWait : wait);

    /// <summary>
    /// Waits for <paramref name="changed"/> (a <see cref="Signal"/>) until <paramref name="until"/>. False when the
    /// time is up, or when this activation is deactivating: the agent's poll then ends empty and it asks again.
    /// </summary>
    private async Task<bool> WaitForChangeAsync(Task changed, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var remaining = until - Now;
        if (remaining <= TimeSpan.Zero) return false;
        using var held = HeldCalls.Hold(GrainContext, cancellationToken);
        try
        {
            await changed.WaitAsync(remaining, time, held.Token);
            return true;
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>The next turn for this agent process, if one is queued; reports the turn a dead process took.</summary>
    private async Task<AgentTurn?> TakeTurnAsync(string instance, int afterTurn)
    {
        EnsureOpen();
        AgentCalledIn();
        var events = new List<NewEvent>();
        if (S.DeliveredTurn > afterTurn && S.DeliveredTo != instance && S.DeliveredTurn > S.CompletedTurns)
        {
            // The agent process that took this turn is gone (a new one asks from before it): the turn ended
            // with it. Running it again could repeat side effects, so it is reported, not re-run.
            events.Add(new(EventTypes.TurnCompleted, S.DeliveredTurn, EndingOf(S.DeliveredTurn, EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, exitCode: null))));
            CompleteTurn(S.DeliveredTurn);
        }
        var next = S.Pending.FirstOrDefault(t => t.Turn > afterTurn);
        if (next is not null)
        {
            S.DeliveredTurn = next.Turn;
            S.DeliveredTo = instance;
            AgentSpoke(); // the stall clock of a turn starts when the agent takes it
            TurnTaken(); // and its time limit's
        }
        await CommitAsync(events, forceWrite: next is not null);
        return next is null ? null : new AgentTurn(next.Turn, next.Content, next.TraceParent);
    }

    /// <summary>
    /// Runs a change of state or log alone. Calls run one at a time anyway, except the agent's long poll and the
    /// watchers, which interleave; so that an interleaved call never writes concurrently with another, every
    /// change goes through here.
    /// </summary>
    private async Task<T> Exclusively<T>(Func<Task<T>> change, CancellationToken cancellationToken = default)
    {
        await changes.WaitAsync(cancellationToken);
        try
        {
            var result = await change();
            await KeepScheduledAsync();
            return result;
        }
        finally
        {
            CountStatus();
            changes.Release();
        }
    }

    private void CompleteTurn(int turn)
    {
        if (turn <= S.CompletedTurns) return;
        S.CompletedTurns = turn;
        S.Pending.RemoveAll(t => t.Turn <= turn);
    }

    private async Task TerminateAsync(string reason, string? message)
    {
        S.Status = SessionStatus.Terminated;
        S.Reason = reason;
        S.Pending.Clear();
        S.MachineDestroyPending = true;
        S.UpdatedAt = Now;
        MachineStopped();
        await state.WriteStateAsync();
        metrics.Terminated(reason);
        Signal(); // waiting polls wake up and learn the session is over
        await DestroyMachineAsync();
        await ReleaseWorkspaceAsync();

        var events = new List<NewEvent>();
        if (message is not null) events.Add(new(EventTypes.SessionError, S.Turns, EventPayloads.Error(message)));
        events.Add(new(EventTypes.SessionStatus, S.Turns, EventPayloads.Status(SessionStatus.Terminated, reason)));
        await CommitAsync(events, forceWrite: true);
        LogTerminated(Id, reason);
    }

    /// <summary>
    /// Persists a change: the session state (when it changed in a way that must survive: never for a mere
    /// heartbeat, whose deadline lives in memory), then the new events (with a <c>session.status</c> event when the status
    /// moved), then shows them to the watchers. State first: if the node dies in between, the agent's
    /// unacknowledged batch is sent again and applied again, harmlessly.
    /// </summary>
    private async Task CommitAsync(IReadOnlyList<NewEvent> events, bool forceWrite = false, AgentCursor? agent = null)
    {
        var all = events.ToList();
        var status = CurrentStatus();
        if (status != S.Status && !(status == SessionStatus.Idle && TaskDone))
        {
            S.Status = status;
            if (status == SessionStatus.Idle) S.IdleSince = Now;
            all.Add(new(EventTypes.SessionStatus, S.Turns, EventPayloads.Status(status, S.Reason)));
            forceWrite = true;
        }
        if (all.Count > 0) S.UpdatedAt = Now;
        Observe(events);
        if (forceWrite || events.Any(e => e.Type == EventTypes.TurnCompleted)) await state.WriteStateAsync();
        if (all.Count > 0 || agent is not null) await AppendAsync(all, agent);
        await EndTaskIfDoneAsync();
    }

    private async Task AppendAsync(IReadOnlyList<NewEvent> events, AgentCursor? agent = null)
    {
        var now = Now;
        var numbered = events.Select((e, i) => new SessionEvent
        {
            Seq = head.LastSeq + i + 1,
            Type = e.Type,
            Turn = e.Turn,
            At = e.At ?? now,
            Payload = e.Payload,
        }).ToList();
        try
        {
            await log.AppendAsync(Id, head, numbered, agent);
        }
        catch (EventLogConflictException)
        {
            // Another activation of this session wrote meanwhile (a split brain during a node failure):
            // this one is stale. Drop it; the caller retries against the one that is current.
            LogEventLogMoved(Id);
            DeactivateOnIdle();
            throw;
        }
        head = new EventLogHead(head.LastSeq + numbered.Count, agent ?? head.Agent);
        ended |= numbered.Any(IsEnd);
        foreach (var e in numbered) metrics.EventAppended(e.Type);
        watchers.Publish(numbered);
    }

    private void Signal() => Interlocked.Exchange(ref turnQueued, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string CurrentStatus() =>
        Terminated ? SessionStatus.Terminated
        : S.SleepingSince is not null ? SessionStatus.Sleeping
        : !S.AgentSeen ? SessionStatus.Starting
        : S.CompletedTurns < S.Turns ? SessionStatus.Running
        : SessionStatus.Idle;

    private static bool IsEnd(SessionEvent e) =>
        e.Type == EventTypes.SessionStatus && e.Payload.Contains($"\"{SessionStatus.Terminated}\"", StringComparison.Ordinal);

    private void EnsureOpen()
    {
        if (!Started) throw SessionException.NotFound(Id);
        if (Terminated) throw new SessionException(SessionErrorKind.Terminated, $"Session '{Id}' is terminated ({S.Reason}).");
    }

    private void AuthorizeAgent(string token)
    {
        if (!Started) throw SessionException.NotFound(Id);
        if (!SessionTokens.Matches(token, S.TokenHash))
            throw new SessionException(SessionErrorKind.Forbidden, $"This token does not belong to session '{Id}'.");
    }

    private AgentAck Ack(long seq) => new(seq, S.Status!);

    private SessionView View() => new()
    {
        SessionId = Id,
        Status = S.Status!,
        Reason = S.Reason,
        MachineId = S.MachineId,
        Region = S.Region,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        Turns = S.Turns,
        LastEventId = head.LastSeq,
        Runtime = S.Runtime,
        Metadata = S.Metadata,
        Owner = Owner,
        Preset = S.Preset,
        Model = S.Agent?.Model,
        Workspace = S.Workspace,
        MachineSeconds = Math.Round(MachineSecondsNow, 1),
        CostUsd = prices.CostOf(GuestOf, MachineSecondsNow),
        MaxMachineSeconds = S.MaxMachineSeconds,
        Mode = S.Mode ?? SessionModes.Session,
        Result = S.Results.Last,
        DeniedTools = S.Results.DeniedTools,
        MaxTurnSeconds = S.MaxTurnSeconds,
        ModelUsage = S.ModelUsage,
        ModelCostUsd = S.ModelCostUsd,
        MaxModelUsd = S.MaxModelUsd,
    };
}
