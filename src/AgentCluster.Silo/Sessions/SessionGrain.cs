using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Machines;
using System.Text.Json;
using AgentCluster.Fly;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Pool;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Secrets;
using AgentCluster.Silo.Storage;
using AgentCluster.Silo.Telemetry;
using AgentCluster.Silo.Workspaces;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The shell around one <see cref="Session"/>: it loads and saves the session's state, appends its events to the
/// log (durable before anyone is shown them or they are acknowledged), wakes its watchers and its agent's polls, and
/// carries out what the session decides (<see cref="SessionStep"/>) through its ports: the machines
/// (<see cref="IMachines"/>), the workspace, the reaper's schedule.
/// </summary>
[GrainType("session")]
public sealed class SessionGrain(
    [PersistentState("session", ClusterHosting.StorageName)] IPersistentState<SessionState> state,
    ISessionEventLog log,
    ISessionCatalog catalog,
    IReaperSchedule schedule,
    IMachines machines,
    PoolShapes pools,
    PoolMetrics poolMetrics,
    SessionWorkspaces workspaces,
    IOptions<AgentSessionOptions> options,
    IOptions<ReaperOptions> reaperOptions,
    IOptions<ModelOptions> models,
    IOptions<FlyOptions> fly,
    SessionSecrets secrets,
    SessionMetrics metrics,
    MachinePrices prices,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain, ISessionUpkeepGrain, ISessionCreateGrain, IHasLogScope
{
    private readonly SessionMeter meter = new(metrics);

    // Held by every change of state or log: calls run one at a time anyway, except the agent's long polls and the
    // watchers, which interleave; so that an interleaved call never writes concurrently with another.
    private readonly SemaphoreSlim changes = new(1, 1);

    private Session session = null!;
    private SessionFeed feed = null!;
    private AgentWake agentWake = null!;

    private UpkeepSchedule upkeep = null!;
    private (string? MachineId, LogScope Scope)? logScope;

    private string Id => this.GetPrimaryKeyString();
    private SessionState S => state.State;
    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The app of the session's machine; sessions stored before several apps used the first.</summary>
    private string App => S.App ?? fly.Value.Apps[0];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        session = new Session(Id, S, options.Value, reaperOptions.Value, logger);
        feed = new SessionFeed(Id, log, metrics, GrainContext);
        agentWake = new AgentWake(time, GrainContext);
        upkeep = new UpkeepSchedule(schedule, Id);
        // A session with no state has no log either (the state is always written first): no read for a new one.
        if (state.RecordExists) await feed.LoadAsync(session.Terminated, cancellationToken);
        session.Activated(Now);
        meter.ReportMachineTime(session, Now);
        meter.Changed(session, Now);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        meter.Deactivated(session, Now);
        return Task.CompletedTask;
    }

    LogScope IHasLogScope.LogScope
    {
        get
        {
            // Made again only when the machine changes: every grain call (heartbeats too) asks for it.
            if (logScope is not { } cached || cached.MachineId != S.MachineId)
                logScope = cached = (S.MachineId, LogScope.ForSession(Id, S.MachineId));
            return cached.Scope;
        }
    }

    Task<StartResult> ISessionGrain.StartAsync(StartSession request) => Exclusively(() => StartAsync(request));

    private async Task<StartResult> StartAsync(StartSession request)
    {
        var owner = SessionCaller.Owner is { } caller
            ? (request.Owner is null || request.Owner == caller ? caller : throw SessionException.Invalid("owner", $"owner '{request.Owner}' is not the owner this call acts for ('{caller}')."))
            : request.Owner ?? ApiKeyOptions.LocalOwner;
        session.EnsureOwnedBy(owner);
        // Made, or waiting its turn for a create: asked again, the same session (its turn comes by itself).
        if (session.Started && (!S.Creating || S.QueuedAt is not null)) return new StartResult(View(), Created: false);
        using var span = NodeTracing.StartSessionSpan(NodeTracing.SessionStart, Id);
        StartSessionRules.Validate(request, options.Value);
        var runtime = session.Started ? S.Runtime! : StartSessionRules.RuntimeFor(request, options.Value, models.Value);
        if (await workspaces.AcquireAsync(Id, owner, request) is { } workspace)
        {
            session.HoldWorkspace(workspace.Name, workspace.VolumeId);
            request = request with { Region = workspace.Region };
        }

        // A new token each attempt; only its hash is kept, and it is persisted before any machine can use it.
        var token = SessionTokens.New();
        var resumed = S.Creating;
        if (!resumed)
        {
            var protectedKey = request.ApiKey is { } key ? secrets.Protect(key.Value) : null;
            var protectedEnv = request.Env is { Count: > 0 } env ? secrets.Protect(JsonSerializer.Serialize(env)) : null;
            var events = session.Open(request, owner, runtime, protectedKey, SessionTokens.Hash(token), NodeTracing.EnqueueTurn(Id, 1), Now, protectedEnv);
            await state.WriteStateAsync();
            // Both only once the session is durable; independent of each other, so one round trip for the two.
            await Task.WhenAll(catalog.AddAsync(owner, Id, S.CreatedAt), AppendAsync(events));
        }
        else
        {
            session.Retoken(SessionTokens.Hash(token));
            await state.WriteStateAsync();
        }

        if (resumed && await machines.FindAsync(Id) is { } existing && existing.Id != S.RetiredMachineId)
            await MadeAsync(await machines.AdoptAsync(existing.App, existing.Id, MachineRequest(token, request.Env)));
        else if (!await ObtainMachineAsync(token, request.Env))
            poolMetrics.Missed(PoolFor(request.Env));
        span?.SetTag(NodeTracing.RuntimeTag, S.Runtime).SetTag(NodeTracing.MachineIdTag, S.MachineId);
        return new StartResult(View(), Created: true);
    }

    /// <summary>
    /// A machine for a session that has none: a ready one from its shape's pool, else a new one if Fly's create budget
    /// has room now, else the session waits its turn (answered at once: it is <c>starting</c>, with its place in the
    /// queue). True when it got a pool machine.
    /// </summary>
    /// <param name="token">The token the session already holds the hash of; null: a new one.</param>
    private async Task<bool> ObtainMachineAsync(string? token, IReadOnlyDictionary<string, string>? env)
    {
        if (PoolFor(env) is { } pool && await GrainFactory.GetGrain<IMachinePoolGrain>(pool).ClaimAsync(Id) is { } pooled)
        {
            await machines.TakeOverAsync(pooled.App, pooled.Id, Id, S.Metadata);
            await MadeAsync(pooled, pool);
            return true;
        }
        var ticket = await GrainFactory.GetGrain<IMachineCreatesGrain>(0).AskAsync(CreateWaiter.Session(Id, S.CreatedAt));
        if (ticket.App is { } app) await CreateMachineAsync(app, token, env);
        else await RunAsync(session.Queued(ticket.Position, Now));
        return false;
    }

    /// <summary>The pool that can serve this session: one of its shape, unless it needs what only a create gives (its env, its volume).</summary>
    private string? PoolFor(IReadOnlyDictionary<string, string>? env) =>
        env is { Count: > 0 } || S.WorkspaceVolumeId is not null ? null : pools.For(session.Shape);

    private async Task CreateMachineAsync(string app, string? token, IReadOnlyDictionary<string, string>? env)
    {
        if (token is null)
        {
            token = SessionTokens.New();
            session.Retoken(SessionTokens.Hash(token));
            await state.WriteStateAsync();
        }
        try
        {
            await MadeAsync(await machines.CreateAsync(app, MachineRequest(token, env)));
        }
        catch (SessionException e) when (e.Kind == SessionErrorKind.MachineProviderRejected)
        {
            await RunAsync(session.CreateRejected(e.Message, Now));
            throw;
        }
    }

    private MachineRequest MachineRequest(string token, IReadOnlyDictionary<string, string>? env) =>
        new(Id, session.Shape, S.Runtime!, token, env, S.Metadata, S.WorkspaceVolumeId);

    /// <summary>The request's env, kept encrypted: for a session that waited its turn, or a restart's new machine.</summary>
    private Dictionary<string, string>? StoredEnv() =>
        S.ProtectedEnv is { } env ? JsonSerializer.Deserialize<Dictionary<string, string>>(secrets.Unprotect(env)) : null;

    private async Task MadeAsync(SessionMachine machine, string? pool = null)
    {
        session.MachineMade(machine, Now, pool);
        meter.NewAgent();
        // Independent writes: one round trip for the two.
        await Task.WhenAll(state.WriteStateAsync(), upkeep.KeepAsync(session.NextCheck(Now)));
        logger.Started(Id, machine.Id, S.Region);
    }

    Task ICreateWaiterGrain.CreateGrantedAsync(string app) => Exclusively(async () =>
    {
        if (!session.WaitsForMachine) return false; // deleted meanwhile, or its machine came from the pool
        await TryAsync(() => CreateMachineAsync(app, token: null, StoredEnv()));
        return true;
    });

    /// <summary>A create the session waited for (or a restart's) that failed for now: its next check asks again; a rejection has ended it already.</summary>
    private async Task TryAsync(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (SessionException e) when (e.Kind is SessionErrorKind.MachineProviderUnavailable or SessionErrorKind.MachineProviderRejected)
        {
            logger.CreateDeferred(e, Id);
            await RunAsync(session.MachineDeferred(Now));
        }
    }

    Task<AgentClaim> ISessionCreateGrain.HandOverAsync(string machineId) => Exclusively(async () =>
    {
        session.EnsureOpen();
        if (S.MachineId != machineId)
            throw new SessionException(SessionErrorKind.Terminated, $"Machine '{machineId}' is not session '{Id}''s machine.");
        var token = SessionTokens.New();
        session.Retoken(SessionTokens.Hash(token));
        await state.WriteStateAsync();
        return new AgentClaim { SessionId = Id, Token = token, Runtime = S.Runtime! };
    });

    Task<SessionView?> ISessionGrain.GetAsync() => Task.FromResult(session.VisibleTo(SessionCaller.Owner) ? View() : null);

    Task<int> ISessionGrain.SendMessageAsync(string content) => Exclusively(async () =>
    {
        session.EnsureVisibleTo(SessionCaller.Owner);
        session.EnsureCanQueue(content);
        await WakeAsync();
        var (turn, change) = session.Message(content, NodeTracing.EnqueueTurn(Id, S.Turns + 1), Now);
        await RunAsync(change);
        return turn;
    });

    /// <summary>A sleeping session's machine starts again first: for a message, an exec, a file.</summary>
    private async Task WakeAsync()
    {
        if (!session.Asleep) return;
        logger.Woken(Id, S.MachineId);
        await machines.StartAsync(App, S.MachineId!);
        session.Woken(Now);
        meter.NewAgent();
    }

    Task<MachineAccess> ISessionGrain.OpenMachineAsync(TimeSpan holdFor) => Exclusively(async () =>
    {
        session.EnsureVisibleTo(SessionCaller.Owner);
        await RunAsync(session.Reached(holdFor, Now));
        await WakeAsync();
        // A session stored before machines' addresses were kept asks Fly once.
        if (S.MachineId is not null && S.MachineAddress is null && await machines.FindAsync(Id) is { } found)
            await RunAsync(session.MachineAddressFound(found));
        return new MachineAccess
        {
            App = S.MachineId is null ? null : App,
            MachineId = S.MachineId,
            Address = S.MachineAddress,
            Port = options.Value.AgentControlPort,
            // None from a new machine, or a stopped one started again, until its new agent has set up.
            ControlKey = S.ProtectedControlKey is { } key ? secrets.Unprotect(key) : null,
            Status = S.Status!.Value,
        };
    });

    Task ISessionGrain.RecordExecAsync(string command, int? exitCode, string via) =>
        Exclusively(async () =>
        {
            session.EnsureVisibleTo(SessionCaller.Owner);
            await RunAsync(session.Exec(command, exitCode, via, Now));
            return true;
        });

    /// <summary>The old machine is destroyed, then a new one obtained as for a new session (RequestMachine: the pool, or a create).</summary>
    Task<SessionView> ISessionGrain.RestartAsync() => Exclusively(async () =>
    {
        session.EnsureVisibleTo(SessionCaller.Owner);
        await RunAsync(session.Restart(Now));
        return View();
    });

    Task<int> ISessionGrain.InterruptAsync() => Exclusively(() =>
    {
        session.EnsureVisibleTo(SessionCaller.Owner);
        return RunAsync(session.Interrupt(Now));
    });

    Task<SessionView> ISessionGrain.DeleteAsync() => Exclusively(async () =>
    {
        session.EnsureVisibleTo(SessionCaller.Owner);
        await RunAsync(session.Delete(Now));
        return View();
    });

    IAsyncEnumerable<SessionEvent> ISessionGrain.WatchAsync(long afterSeq, CancellationToken cancellationToken)
    {
        session.EnsureVisibleTo(SessionCaller.Owner);
        return feed.WatchAsync(afterSeq, cancellationToken);
    }

    Task<AgentAck> ISessionGrain.AgentPushAsync(string token, AgentEventBatch batch) => Exclusively(async () =>
    {
        session.AuthorizeAgent(token);
        var (acked, change) = session.AgentPush(batch, feed.Head.Agent, Now);
        meter.CalledIn(Now);
        await RunAsync(change);
        return session.Ack(acked);
    });

    Task<AgentAck> ISessionGrain.AgentHeartbeatAsync(string token, string instance) => Exclusively(async () =>
    {
        session.AuthorizeAgent(token);
        var change = session.Heartbeat(instance, Now);
        meter.CalledIn(Now);
        await RunAsync(change);
        return session.Ack(feed.Head.Agent.Instance == instance ? feed.Head.Agent.Seq : 0);
    });

    async Task<AgentTurn?> ISessionGrain.AgentNextTurnAsync(string token, string instance, int afterTurn, TimeSpan wait, CancellationToken cancellationToken)
    {
        session.AuthorizeAgent(token);
        AgentRules.ValidateInstance(instance);
        var until = agentWake.Deadline(wait);
        while (true)
        {
            var woken = agentWake.Next;
            var turn = await Exclusively(async () =>
            {
                session.AuthorizeAgent(token); // again each time: a restart shuts out the old machine's agent while it waits
                var (turn, change) = session.TakeTurn(instance, afterTurn, Now);
                meter.CalledIn(Now);
                await RunAsync(change);
                return turn;
            }, cancellationToken);
            if (turn is not null) return turn;
            if (!await agentWake.WaitAsync(woken, until, cancellationToken)) return null;
        }
    }

    async Task<AgentInterrupt?> ISessionGrain.AgentWatchTurnAsync(string token, int turn, TimeSpan wait, CancellationToken cancellationToken)
    {
        session.AuthorizeAgent(token);
        var until = agentWake.Deadline(wait);
        while (true)
        {
            var woken = agentWake.Next;
            if (session.Interrupted(turn)) return new AgentInterrupt(turn);
            if (!await agentWake.WaitAsync(woken, until, cancellationToken)) return null;
        }
    }

    /// <summary>
    /// The agent's setup, handed over its authenticated channel when it starts (and again to a restarted agent), so
    /// that nothing sits in the machine's config. Its model credential is a fresh model token for the session's
    /// model gateway (ModelGateway/), never a real key: only its hash is kept.
    /// </summary>
    Task<AgentSetup> ISessionGrain.AgentSetupAsync(string token) => Exclusively(async () =>
    {
        session.AuthorizeAgent(token);
        session.EnsureOpen();
        var credentials = new Dictionary<string, string>();
        var modelToken = AgentRuntimes.CallsModel(S.Runtime) ? SessionTokens.New(SessionTokens.ModelPrefix) : null;
        if (modelToken is not null) credentials[AgentSetup.ApiKeyVariable] = modelToken;
        var controlKey = SessionTokens.New(SessionTokens.ControlPrefix);
        await RunAsync(session.AgentSetUp(modelToken is null ? null : SessionTokens.Hash(modelToken), secrets.Protect(controlKey)));
        // The conversation so far, for a runtime that has none of its own to continue (a restart's new machine); a
        // shell keeps none, and a session with no finished turn has nothing to tell.
        var conversation = AgentRuntimes.CallsModel(S.Runtime) && S.CompletedTurns > 0
            ? await ConversationHistory.ReadAsync(log, Id, shell: false)
            : [];
        return new AgentSetup { Settings = S.Agent ?? new AgentSettings(), Credentials = credentials, ControlKey = controlKey, Conversation = conversation };
    });

    Task<ModelGrant> ISessionGrain.AuthorizeModelCallAsync(string modelToken) => Task.FromResult(session.AuthorizeModelCall(modelToken));

    Task ISessionGrain.RecordModelUsageAsync(string modelToken, string? model, TokenUsage usage) => Exclusively(async () =>
    {
        session.AuthorizeModel(modelToken);
        await RunAsync(session.ModelUsed(model, usage, Now));
        return true;
    });

    Task ISessionUpkeepGrain.CheckAsync() => Exclusively(async () =>
    {
        meter.ReportMachineTime(session, Now);
        await RunAsync(session.Check(Now));
        await upkeep.SetAsync(session.NextCheck(Now));
        return true;
    });

    Task<MachineVerdict> ISessionUpkeepGrain.ReconcileAsync(string app, string machineId, TimeSpan seenFor) => Exclusively(async () =>
    {
        var verdict = session.Reconcile(machineId, seenFor, reaperOptions.Value.OrphanGrace);
        if (verdict == MachineVerdict.Adopted) await AdoptLostMachineAsync(app, machineId);
        if (verdict != MachineVerdict.Destroyed) return verdict;
        if ((await machines.DestroyAsync(app, machineId)).Failure is { } failure) throw failure;
        metrics.MachineDestroyed(S.Region, session.Started ? GuestSize : "unknown");
        if (session.StrayDestroyed(machineId)) await state.WriteStateAsync();
        return verdict;
    });

    /// <summary>A create that made the machine but whose answer was lost: the session takes it back with a fresh token, and its agent boots with it.</summary>
    private async Task AdoptLostMachineAsync(string app, string machineId)
    {
        var token = SessionTokens.New();
        session.Retoken(SessionTokens.Hash(token));
        await state.WriteStateAsync();
        await MadeAsync(await machines.AdoptAsync(app, machineId, MachineRequest(token, StoredEnv())));
        logger.Reattached(Id, machineId);
    }

    private async Task<T> Exclusively<T>(Func<Task<T>> change, CancellationToken cancellationToken = default)
    {
        await changes.WaitAsync(cancellationToken);
        try
        {
            var result = await change();
            await upkeep.KeepAsync(session.NextCheck(Now));
            return result;
        }
        finally
        {
            meter.Changed(session, Now);
            changes.Release();
        }
    }

    /// <summary>Carries out what the session decided, in order.</summary>
    private async Task<T> RunAsync<T>((T Answer, SessionChange Change) decision)
    {
        await RunAsync(decision.Change);
        return decision.Answer;
    }

    private async Task RunAsync(SessionChange change)
    {
        foreach (var step in change.Steps)
        {
            switch (step)
            {
                case SessionStep.Save:
                    await state.WriteStateAsync();
                    break;
                case SessionStep.Append append:
                    await AppendAsync(append.Events, append.Agent);
                    break;
                case SessionStep.WakeAgent:
                    agentWake.Signal();
                    break;
                case SessionStep.DestroyMachine destroy:
                    await DestroyMachineAsync(destroy.MachineId);
                    break;
                case SessionStep.SleepMachine sleep:
                    var mode = await machines.SleepAsync(App, sleep.MachineId, session.Guest);
                    await RunAsync(session.MachineStopped(Now, mode));
                    break;
                case SessionStep.RequestMachine:
                    await TryAsync(() => ObtainMachineAsync(token: null, StoredEnv()));
                    break;
                case SessionStep.ReleaseWorkspace release:
                    await workspaces.ReleaseAsync(Id, release.Owner, release.Name);
                    break;
            }
        }
    }

    /// <summary>Destroys the session's machine, found by its tag if it was never recorded; on failure the reaper retries.</summary>
    private async Task DestroyMachineAsync(string? machineId)
    {
        var outcome = MachineOutcome.Done;
        try
        {
            var app = App;
            if (machineId is null && await machines.FindAsync(Id) is { } found) (machineId, app) = (found.Id, found.App);
            if (machineId is not null) outcome = await machines.DestroyAsync(app, machineId);
        }
        catch (SessionException e)
        {
            outcome = new MachineOutcome(e);
        }
        if (outcome.Failure is { } failure) logger.DestroyDeferred(failure, Id, machineId);
        else if (machineId is not null) metrics.MachineDestroyed(S.Region, GuestSize);
        session.MachineDestroyed(outcome);
    }

    private async Task AppendAsync(IReadOnlyList<NewEvent> events, AgentCursor? agent = null)
    {
        bool ended;
        try
        {
            ended = await feed.AppendAsync(events, agent, Now);
        }
        catch (EventLogConflictException)
        {
            // Another activation of this session wrote meanwhile (a split brain during a node failure): this one
            // is stale. Drop it; the caller retries against the one that is current.
            logger.EventLogMoved(Id);
            DeactivateOnIdle();
            throw;
        }
        // Durable now: the owner's webhooks read it from the log (one-way: a webhook never holds up or fails a session).
        if (S.Owner is { } owner && events.Any(e => Webhooks.WebhookEvents.MayMatter(e.Type)))
        {
            // Not even a call that fails at once (its silo known dead) may fail the session: the sweep finds what it missed.
            try { GrainFactory.GetGrain<Webhooks.IWebhookOwnerGrain>(owner).SessionAdvancedAsync(Id, feed.Head.LastSeq).Ignore(); }
            catch (Exception e) when (e is not OutOfMemoryException) { logger.LogWarning(e, "Session {SessionId}: the webhooks' poke failed; their sweep will find the events", Id); }
        }
        if (ended && S.Reason is { } reason)
        {
            metrics.Terminated(reason.Name());
            if (reason == TerminationReason.Expired) metrics.Expired(S.AgentSeen);
        }
    }

    private string GuestSize => GuestSizes.Name(session.Guest);

    private SessionView View() => SessionViews.Of(session, feed.Head.LastSeq, prices, Now);
}
