using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Telemetry;
using AgentCluster.Silo.Workspaces;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// A session's Fly Machine: what it is created with, and the create made idempotent. Every machine has a
/// name derived from its session and the metadata <c>agentcluster_session</c>, so whoever asks again after a
/// timeout, a 5xx or a crash finds the machine that may already exist instead of creating a second one.
/// </summary>
public sealed partial class SessionMachines(
    IFlyMachinesApi machines, IOptions<FlyOptions> fly, IOptions<AgentSessionOptions> options, CallbackUrls callbackUrls,
    IOptions<TelemetryOptions> telemetry, SessionMetrics metrics, ILogger<SessionMachines> logger) : IMachines
{
    public const string SessionMetadataKey = "agentcluster_session";

    private string App => fly.Value.AppName!;

    public static string NameFor(string sessionId) => "session-" + sessionId;

    /// <summary>How long a wake waits for a machine that is still stopping: its stop timeout and then some.</summary>
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The session's live machine, if one exists: asked by its metadata, so Fly answers with this session's
    /// machines only, not every machine of the app.
    /// </summary>
    public async Task<SessionMachine?> FindAsync(string sessionId)
    {
        try
        {
            return Ours(await FindMachineAsync(sessionId, CancellationToken.None));
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, "look up");
        }
    }

    private async Task<Machine?> FindMachineAsync(string sessionId, CancellationToken cancellationToken)
    {
        var tagged = await machines.ListMachinesByMetadataAsync(App, SessionMetadataKey, sessionId, cancellationToken);
        return tagged.FirstOrDefault(m => m.Name == NameFor(sessionId) && MachineStates.IsActive(m.State));
    }

    private static SessionMachine? Ours(Machine? machine) => machine is null ? null : new SessionMachine(machine.Id, machine.Region);

    /// <summary>
    /// Creates the machine, or adopts the one an earlier, ambiguous attempt created. Provider failures become
    /// <see cref="SessionException"/>s that say whether retrying can help.
    /// </summary>
    /// <param name="workspaceVolumeId">The session's workspace volume, mounted at /workspace; null without one.</param>
    public async Task<SessionMachine> CreateAsync(string sessionId, StartSession request, string runtime, string region, string token, string? workspaceVolumeId)
    {
        // The machine's agent starts under this span (its TRACEPARENT), and the Fly calls are its children.
        using var span = NodeTracing.StartSessionSpan(NodeTracing.MachineCreate, sessionId)?.SetTag(NodeTracing.RegionTag, region);
        var guestSize = Cost.GuestSizes.Name(options.Value.GuestFor(request.Guest));
        try
        {
            var machine = await CreateOrAdoptAsync(sessionId, request, runtime, region, token, workspaceVolumeId, CancellationToken.None);
            span?.SetTag(NodeTracing.MachineIdTag, machine.Id);
            metrics.MachineCreated(machine.Region ?? region, guestSize);
            return Ours(machine)!;
        }
        catch (SessionException)
        {
            metrics.MachineFailed(region, guestSize);
            throw;
        }
    }

    private async Task<Machine> CreateOrAdoptAsync(
        string sessionId, StartSession request, string runtime, string region, string token, string? workspaceVolumeId, CancellationToken cancellationToken)
    {
        var create = new CreateMachineRequest
        {
            Name = NameFor(sessionId),
            Region = region,
            Config = ConfigFor(sessionId, request, runtime, token, workspaceVolumeId),
        };
        // Well within the grain call's 30 s, so that the session can still look the machine up and answer.
        var timeout = options.Value.MachineCreateTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await machines.CreateMachineAsync(App, create, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The create may have happened, only its answer (or a Retry-After wait) outlasted the timeout.
            LogCreateUnanswered(sessionId, timeout);
            return await FindAndAdoptAsync(sessionId, token, cancellationToken)
                ?? throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                    $"The Fly Machines API did not answer the machine create within {timeout.TotalSeconds:0.#} s. Retry the same request.", retryAfter: TimeSpan.FromSeconds(1));
        }
        catch (FlyApiException e) when (e.Kind is FlyErrorKind.Conflict || e.IsTransient)
        {
            // The create may have happened (a 408 or 5xx says nothing either way; a name conflict says it did).
            LogCreateFailed(sessionId, (int)e.StatusCode, e.Kind);
            return await FindAndAdoptAsync(sessionId, token, cancellationToken) ?? throw Translate(e, create.Config.Image);
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition && workspaceVolumeId is not null)
        {
            // The workspace's volume is still attached to the machine of its previous session (Fly detaches it
            // a little after that machine is destroyed): a moment later the same request succeeds.
            throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                $"Fly has the workspace volume still attached to another machine ({e.FlyMessage}); retry the same request shortly.", retryAfter: TimeSpan.FromSeconds(5));
        }
        catch (FlyApiException e)
        {
            throw Translate(e, create.Config.Image);
        }
        catch (HttpRequestException e)
        {
            LogCreateDisconnected(e, sessionId);
            return await FindAndAdoptAsync(sessionId, token, cancellationToken)
                ?? throw new SessionException(SessionErrorKind.MachineProviderUnavailable, $"The Fly Machines API could not be reached: {e.Message}. Retry the same request.");
        }
    }

    /// <summary>The machine an ambiguous create may have made, adopted; null when there is none.</summary>
    private async Task<Machine?> FindAndAdoptAsync(string sessionId, string token, CancellationToken cancellationToken) =>
        await FindMachineAsync(sessionId, cancellationToken) is { } found ? await AdoptMachineAsync(found.Id, token, cancellationToken) : null;

    /// <summary>
    /// Takes over a machine found by name (made by an earlier attempt, or by this one before its answer was
    /// lost). When it carries another token than <paramref name="token"/>, it gets this one: Fly updates the
    /// config and restarts the machine, and its agent comes back with a token the session knows.
    /// </summary>
    public async Task<SessionMachine> AdoptAsync(string machineId, string token) => Ours(await AdoptMachineAsync(machineId, token, CancellationToken.None))!;

    private async Task<Machine> AdoptMachineAsync(string machineId, string token, CancellationToken cancellationToken)
    {
        try
        {
            var machine = await machines.GetMachineAsync(App, machineId, cancellationToken);
            var config = machine.Config ?? new MachineConfig();
            if (config.Env?.GetValueOrDefault(AgentEnvironment.SessionToken) == token) return machine;
            var env = new Dictionary<string, string>(config.Env ?? []) { [AgentEnvironment.SessionToken] = token };
            LogAdopting(machine.Id);
            return await machines.UpdateMachineAsync(App, machine.Id, new UpdateMachineRequest { Config = config with { Env = env } }, cancellationToken: cancellationToken);
        }
        catch (FlyApiException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>
    /// Every live machine of the app tagged with a session, for reconciliation. Machines without the tag were
    /// started by someone else and are never returned, so never touched.
    /// </summary>
    public async Task<IReadOnlyList<TaggedMachine>> ListTaggedAsync()
    {
        var all = await machines.ListMachinesAsync(App);
        return all
            .Where(m => MachineStates.IsActive(m.State) && m.Config?.Metadata?.GetValueOrDefault(SessionMetadataKey) is { Length: > 0 })
            .Select(m => new TaggedMachine(m.Config!.Metadata![SessionMetadataKey], m.Id))
            .ToList();
    }

    /// <summary>
    /// Suspends the machine where Fly allows it (its agent is frozen as it is and resumes where it was), else stops it
    /// (its agent gets SIGTERM and a few seconds). Either way the machine and its disk stay. A suspend Fly refuses
    /// (412: a machine not updated for suspend yet, or one no longer started) becomes a stop.
    /// </summary>
    public async Task<SleepMode> SleepAsync(string machineId, GuestSpec guest)
    {
        var mode = SleepModes.For(guest);
        try
        {
            if (mode == SleepMode.Suspend)
            {
                try
                {
                    await machines.SuspendMachineAsync(App, machineId);
                    LogAsleep(machineId, mode);
                    return mode;
                }
                catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition)
                {
                    LogSuspendRefused(machineId, e.FlyMessage);
                    mode = SleepMode.Stop;
                }
            }
            await machines.StopMachineAsync(App, machineId, new StopRequest());
            LogAsleep(machineId, mode);
            return mode;
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, mode == SleepMode.Suspend ? "suspend" : "stop");
        }
    }

    /// <summary>
    /// Starts a sleeping machine again: a suspended one resumes from its snapshot, a stopped one boots. Fly starts
    /// one still suspending (the suspend is called off); one still stopping (412), or suspending on a Fly that
    /// refuses that, is waited for first.
    /// </summary>
    public async Task StartAsync(string machineId)
    {
        try
        {
            try
            {
                await machines.StartMachineAsync(App, machineId);
            }
            catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition)
            {
                await machines.WaitForStateAsync(App, machineId, [MachineStates.Stopped, MachineStates.Suspended], StartWait);
                await machines.StartMachineAsync(App, machineId);
            }
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, "start");
        }
    }

    /// <summary>Destroys the machine; one that is already gone counts as destroyed. A failure is the outcome, not thrown.</summary>
    public async Task<MachineOutcome> DestroyAsync(string machineId)
    {
        try
        {
            await machines.DestroyMachineAsync(App, machineId, force: true);
            return MachineOutcome.Done;
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound)
        {
            return MachineOutcome.Done;
        }
        catch (Exception e) when (e is FlyApiException or HttpRequestException or TimeoutException)
        {
            return new MachineOutcome(e);
        }
    }

    private MachineConfig ConfigFor(string sessionId, StartSession request, string runtime, string token, string? workspaceVolumeId)
    {
        var settings = options.Value;
        var env = new Dictionary<string, string>(request.Env ?? new Dictionary<string, string>())
        {
            [AgentEnvironment.SessionId] = sessionId,
            [AgentEnvironment.SessionToken] = token,
            [AgentEnvironment.OrchestratorUrls] = string.Join(',', callbackUrls.Get()),
            [AgentEnvironment.Runtime] = runtime,
            [AgentEnvironment.HeartbeatInterval] = settings.HeartbeatInterval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [AgentEnvironment.OrphanTimeout] = settings.AgentOrphanTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        WorkspaceMount.AddTo(env, workspaceVolumeId);
        AgentTelemetryEnvironment.AddTo(env, telemetry.Value);
        var metadata = new Dictionary<string, string>(request.Metadata ?? new Dictionary<string, string>())
        {
            [SessionMetadataKey] = sessionId,
        };
        var guest = settings.GuestFor(request.Guest);
        return new MachineConfig
        {
            Image = request.Image ?? settings.AgentImage,
            Env = env,
            Metadata = metadata,
            Mounts = WorkspaceMount.For(workspaceVolumeId),
            Guest = new MachineGuest { CpuKind = guest.CpuKind, Cpus = guest.Cpus, MemoryMb = guest.MemoryMb },
            // Not auto_destroy: Fly destroys such a machine on any stop, and a sleeping session needs its machine
            // stopped or suspended, not gone. The session destroys it when it ends; the reaper's reconciliation catches any
            // machine whose session ended without it (and a stopped machine bills no CPU meanwhile). A crashed
            // agent gets a few restarts (it resumes the session), never an endless loop.
            AutoDestroy = false,
            Restart = new MachineRestart { Policy = "on-failure", MaxRetries = 3 },
            StopConfig = new StopConfig { Signal = "SIGTERM", Timeout = TimeSpan.FromSeconds(10) },
        };
    }

    private static SessionException TranslateCall(FlyApiException e, string action) => new(
        e.IsTransient || e.Kind == FlyErrorKind.RateLimited ? SessionErrorKind.MachineProviderUnavailable : SessionErrorKind.MachineProviderRejected,
        $"Fly could not {action} the machine ({(int)e.StatusCode}: {e.FlyMessage}).", retryAfter: e.RetryAfter);

    /// <param name="image">The image the machine was to run, for the message when Fly rejects it.</param>
    private SessionException Translate(FlyApiException e, string? image = null) => e.Kind switch
    {
        FlyErrorKind.Unauthorized or FlyErrorKind.Forbidden => new(SessionErrorKind.MachineProviderRejected,
            $"Fly refused the API token ({(int)e.StatusCode}: {e.FlyMessage}): check FLY_API_TOKEN has access to app '{App}'."),
        FlyErrorKind.NotFound => new(SessionErrorKind.MachineProviderRejected,
            $"Fly app '{App}' was not found ({e.FlyMessage}): check FLY_AGENT_APP."),
        FlyErrorKind.BadRequest or FlyErrorKind.Unprocessable or FlyErrorKind.FailedPrecondition => new(SessionErrorKind.MachineProviderRejected,
            $"Fly rejected the machine ({(int)e.StatusCode}: {e.FlyMessage}); image '{image ?? options.Value.AgentImage}'."),
        FlyErrorKind.RateLimited => new(SessionErrorKind.MachineProviderUnavailable,
            "Fly is rate-limiting machine creation; retry the same request later.", retryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => new(SessionErrorKind.MachineProviderUnavailable,
            $"Fly could not create the machine ({(int)e.StatusCode}: {e.FlyMessage}); retry the same request."),
    };

    [LoggerMessage(3000, LogLevel.Warning, "Machine create for session {SessionId} got no answer within {Timeout}; looking it up by name")]
    private partial void LogCreateUnanswered(string sessionId, TimeSpan timeout);

    [LoggerMessage(3001, LogLevel.Warning, "Machine create for session {SessionId} ended with {Status} ({Kind}); looking it up by name")]
    private partial void LogCreateFailed(string sessionId, int status, FlyErrorKind kind);

    [LoggerMessage(3002, LogLevel.Warning, "Machine create for session {SessionId} lost its connection; looking it up by name")]
    private partial void LogCreateDisconnected(Exception e, string sessionId);

    [LoggerMessage(3003, LogLevel.Information, "Adopting machine {MachineId} with a new session token")]
    private partial void LogAdopting(string machineId);

    [LoggerMessage(3004, LogLevel.Warning, "Fly would not suspend machine {MachineId} ({Reason}); stopping it instead")]
    private partial void LogSuspendRefused(string machineId, string reason);

    [LoggerMessage(3005, LogLevel.Information, "Machine {MachineId} put to sleep: {Mode}")]
    private partial void LogAsleep(string machineId, SleepMode mode);
}

/// <summary>A machine of the app and the session its metadata names.</summary>
public sealed record TaggedMachine(string SessionId, string MachineId);
