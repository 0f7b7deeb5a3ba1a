using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;
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
/// Sessions' and pools' Fly Machines: what they are created with, and the create made idempotent. A session's
/// machine has a name derived from its session and the metadata <c>agentcluster_session</c>, a pool machine a name
/// its pool chose and <c>agentcluster_pool</c>, so whoever asks again after a timeout, a 5xx or a crash finds the
/// machine that may already exist instead of creating a second one.
/// </summary>
public sealed partial class SessionMachines(
    IFlyMachinesApi machines, IFlyMetadataApi metadataApi, IOptions<FlyOptions> fly, IOptions<AgentSessionOptions> options, CallbackUrls callbackUrls,
    IOptions<TelemetryOptions> telemetry, SessionMetrics metrics, TimeProvider time, ILogger<SessionMachines> logger) : IMachines
{
    public const string SessionMetadataKey = "agentcluster_session";

    /// <summary>A pool machine's tag: the pool (shape) it waits in. It keeps it once claimed, beside the session's.</summary>
    public const string PoolMetadataKey = "agentcluster_pool";

    /// <summary>A pool machine's <see cref="PooledMachineRequest.ConfigVersion"/>.</summary>
    public const string PoolConfigMetadataKey = "agentcluster_pool_config";

    public static string NameFor(string sessionId) => "session-" + sessionId;

    /// <summary>How long a wake waits for a machine that is still stopping: its stop timeout and then some.</summary>
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The session's live machine, if one exists: asked by its metadata in every app, so Fly answers with this
    /// session's machines only, not every machine of the app.
    /// </summary>
    public async Task<SessionMachine?> FindAsync(string sessionId)
    {
        try
        {
            foreach (var app in fly.Value.Apps)
                if (await FindMachineAsync(app, sessionId, CancellationToken.None) is { } found) return Ours(app, found);
            return null;
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, "look up");
        }
    }

    private async Task<Machine?> FindMachineAsync(string app, string sessionId, CancellationToken cancellationToken)
    {
        var tagged = await machines.ListMachinesByMetadataAsync(app, SessionMetadataKey, sessionId, cancellationToken);
        return tagged.FirstOrDefault(m => MachineStates.IsActive(m.State));
    }

    private static SessionMachine Ours(string app, Machine machine) => new(machine.Id, machine.Region, app, machine.PrivateIp);

    /// <summary>
    /// Creates the machine, or adopts the one an earlier, ambiguous attempt created. Provider failures become
    /// <see cref="SessionException"/>s that say whether retrying can help.
    /// </summary>
    public async Task<SessionMachine> CreateAsync(string app, MachineRequest request)
    {
        // The machine's agent starts under this span (its TRACEPARENT), and the Fly calls are its children.
        using var span = NodeTracing.StartSessionSpan(NodeTracing.MachineCreate, request.SessionId)?.SetTag(NodeTracing.RegionTag, request.Shape.Region);
        var create = new CreateMachineRequest { Name = NameFor(request.SessionId), Region = request.Shape.Region, Config = ConfigFor(request) };
        var machine = await CreateOrAdoptAsync(app, create, () => FindAndAdoptAsync(app, request, CancellationToken.None), request.WorkspaceVolumeId is not null);
        span?.SetTag(NodeTracing.MachineIdTag, machine.Id);
        return Ours(app, machine);
    }

    /// <summary>A pool machine: found again by its name when its create's answer was lost.</summary>
    public async Task<SessionMachine> CreatePooledAsync(string app, PooledMachineRequest request)
    {
        var create = new CreateMachineRequest { Name = request.Name, Region = request.Shape.Region, Config = PoolConfigFor(request) };
        var machine = await CreateOrAdoptAsync(app, create, async () =>
            (await machines.ListMachinesByMetadataAsync(app, PoolMetadataKey, request.Pool)).FirstOrDefault(m => m.Name == request.Name && MachineStates.IsActive(m.State)),
            withVolume: false);
        return Ours(app, machine);
    }

    /// <summary>One create, counted; an ambiguous failure looks for what it may have made (<paramref name="findMade"/>) before it fails.</summary>
    private async Task<Machine> CreateOrAdoptAsync(string app, CreateMachineRequest create, Func<Task<Machine?>> findMade, bool withVolume)
    {
        var guest = create.Config.Guest!;
        var guestSize = Cost.GuestSizes.Name(guest.CpuKind, guest.Cpus);
        try
        {
            var machine = await CreateMachineAsync(app, create, findMade, withVolume);
            metrics.MachineCreated(machine.Region ?? create.Region!, guestSize);
            return machine;
        }
        catch (SessionException)
        {
            metrics.MachineFailed(create.Region!, guestSize);
            throw;
        }
    }

    private async Task<Machine> CreateMachineAsync(string app, CreateMachineRequest create, Func<Task<Machine?>> findMade, bool withVolume)
    {
        // Well within the grain call's 30 s, so that the caller can still look the machine up and answer.
        var timeout = options.Value.MachineCreateTimeout;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return await machines.CreateMachineAsync(app, create, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // The create may have happened, only its answer (or a Retry-After wait) outlasted the timeout.
            LogCreateUnanswered(create.Name!, timeout);
            return await findMade()
                ?? throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                    $"The Fly Machines API did not answer the machine create within {timeout.TotalSeconds:0.#} s. Retry the same request.", retryAfter: TimeSpan.FromSeconds(1));
        }
        catch (FlyApiException e) when (e.Kind is FlyErrorKind.Conflict || e.IsTransient)
        {
            // The create may have happened (a 408 or 5xx says nothing either way; a name conflict says it did).
            LogCreateFailed(create.Name!, (int)e.StatusCode, e.Kind);
            return await findMade() ?? throw Translate(e, app, create.Config.Image);
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition && withVolume)
        {
            // The workspace's volume is still attached to the machine of its previous session (Fly detaches it
            // a little after that machine is destroyed): a moment later the same request succeeds.
            throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                $"Fly has the workspace volume still attached to another machine ({e.FlyMessage}); retry the same request shortly.", retryAfter: TimeSpan.FromSeconds(5));
        }
        catch (FlyApiException e)
        {
            throw Translate(e, app, create.Config.Image);
        }
        catch (HttpRequestException e)
        {
            LogCreateDisconnected(e, create.Name!);
            return await findMade()
                ?? throw new SessionException(SessionErrorKind.MachineProviderUnavailable, $"The Fly Machines API could not be reached: {e.Message}. Retry the same request.");
        }
    }

    /// <summary>The machine an ambiguous create may have made, adopted; null when there is none.</summary>
    private async Task<Machine?> FindAndAdoptAsync(string app, MachineRequest request, CancellationToken cancellationToken) =>
        await FindMachineAsync(app, request.SessionId, cancellationToken) is { } found ? await AdoptMachineAsync(app, found.Id, request, cancellationToken) : null;

    /// <summary>
    /// Takes over a machine found by its tag (made by an earlier attempt, by this one before its answer was lost, or a
    /// claimed pool machine). When it does not carry this session and token, it gets them: Fly updates the config and
    /// restarts the machine, and its agent comes back as this session's, with a token the session knows.
    /// </summary>
    public async Task<SessionMachine> AdoptAsync(string app, string machineId, MachineRequest request) =>
        Ours(app, await AdoptMachineAsync(app, machineId, request, CancellationToken.None));

    private async Task<Machine> AdoptMachineAsync(string app, string machineId, MachineRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var machine = await machines.GetMachineAsync(app, machineId, cancellationToken);
            var config = machine.Config ?? new MachineConfig();
            if (config.Env?.GetValueOrDefault(AgentEnvironment.SessionToken) == request.Token) return machine;
            var env = new Dictionary<string, string>(config.Env ?? [])
            {
                [AgentEnvironment.SessionId] = request.SessionId,
                [AgentEnvironment.SessionToken] = request.Token,
                [AgentEnvironment.Runtime] = request.Runtime,
            };
            env.Remove(AgentEnvironment.PoolToken); // a pool machine taken over this way is the session's for good
            var metadata = new Dictionary<string, string>(config.Metadata ?? []) { [SessionMetadataKey] = request.SessionId };
            LogAdopting(machine.Id);
            return await machines.UpdateMachineAsync(app, machine.Id, new UpdateMachineRequest { Config = config with { Env = env, Metadata = metadata } }, cancellationToken: cancellationToken);
        }
        catch (FlyApiException e)
        {
            throw Translate(e, app);
        }
    }

    /// <summary>Metadata first (from then on reconciliation knows the machine as the session's), then the start, which resumes it.</summary>
    public async Task TakeOverAsync(string app, string machineId, string sessionId, IReadOnlyDictionary<string, string> metadata)
    {
        var tags = new Dictionary<string, string?>(metadata.ToDictionary(kv => kv.Key, kv => (string?)kv.Value)) { [SessionMetadataKey] = sessionId };
        try
        {
            await metadataApi.UpdateMetadataAsync(app, machineId, new UpdateMetadataRequest { Metadata = tags });
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, "tag");
        }
        await StartAsync(app, machineId);
    }

    /// <summary>
    /// Every live machine of every agents' app tagged with a session or a pool, for reconciliation. Machines without
    /// either tag were started by someone else and are never returned, so never touched.
    /// </summary>
    public async Task<IReadOnlyList<TaggedMachine>> ListTaggedAsync()
    {
        var tagged = new List<TaggedMachine>();
        foreach (var app in fly.Value.Apps)
        {
            foreach (var m in await machines.ListMachinesAsync(app))
            {
                var session = m.Config?.Metadata?.GetValueOrDefault(SessionMetadataKey) is { Length: > 0 } s ? s : null;
                var pool = m.Config?.Metadata?.GetValueOrDefault(PoolMetadataKey) is { Length: > 0 } p ? p : null;
                if (MachineStates.IsActive(m.State) && (session ?? pool) is not null) tagged.Add(new TaggedMachine(app, m.Id, session, pool));
            }
        }
        return tagged;
    }

    /// <summary>
    /// Suspends the machine where Fly allows it (its agent is frozen as it is and resumes where it was), else stops it
    /// (its agent gets SIGTERM and a few seconds). Either way the machine and its disk stay. A suspend Fly refuses
    /// (412: a machine not updated for suspend yet, or one no longer started) becomes a stop.
    /// </summary>
    public async Task<SleepMode> SleepAsync(string app, string machineId, GuestSpec guest)
    {
        var mode = SleepModes.For(guest);
        try
        {
            if (mode == SleepMode.Suspend)
            {
                try
                {
                    await machines.SuspendMachineAsync(app, machineId);
                    LogAsleep(machineId, mode);
                    return mode;
                }
                catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition)
                {
                    LogSuspendRefused(machineId, e.FlyMessage);
                    mode = SleepMode.Stop;
                }
            }
            await machines.StopMachineAsync(app, machineId, new StopRequest());
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
    public async Task StartAsync(string app, string machineId)
    {
        try
        {
            try
            {
                await machines.StartMachineAsync(app, machineId);
            }
            catch (FlyApiException e) when (e.Kind == FlyErrorKind.FailedPrecondition)
            {
                var machine = await machines.GetMachineAsync(app, machineId);
                if (machine.State is MachineStates.Started or MachineStates.Starting) return;
                await machines.WaitForStateAsync(app, machineId, [MachineStates.Stopped, MachineStates.Suspended], StartWait);
                await machines.StartMachineAsync(app, machineId);
            }
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, "start");
        }
    }

    /// <summary>
    /// Fly's own exec (see <see cref="IMachines.ExecAsync"/>): the request wrapped by <see cref="FlyExecCommand"/> for its cwd
    /// and env. Fly reports how the command ended, not why: one that a SIGKILL ended once its timeout had passed timed
    /// out. Each stream is cut at the request's <c>max_output_bytes</c> here (Fly caps them too, by an amount it does not publish).
    /// </summary>
    public async Task<ExecResult> ExecAsync(string app, string machineId, ExecRequest request, CancellationToken cancellationToken)
    {
        var timeout = request.TimeoutS ?? ControlProtocol.DefaultTimeoutSeconds;
        var body = new MachineExecRequest { Command = FlyExecCommand.Argv(request), Timeout = timeout, Stdin = request.Stdin };
        var started = time.GetTimestamp();
        MachineExecResponse answer;
        try
        {
            answer = await machines.ExecMachineAsync(app, machineId, body, cancellationToken);
        }
        catch (FlyApiException e)
        {
            throw TranslateCall(e, "run a command in");
        }
        var elapsed = time.GetElapsedTime(started);
        var signal = answer.ExitSignal is > 0 ? answer.ExitSignal : null;
        var max = request.MaxOutputBytes ?? ControlProtocol.DefaultMaxOutputBytes;
        var (stdout, stdoutCut) = Utf8Cut.Prefix(answer.Stdout ?? "", max);
        var (stderr, stderrCut) = Utf8Cut.Prefix(answer.Stderr ?? "", max);
        return new ExecResult(
            signal is { } s ? 128 + s : answer.ExitCode ?? 0, stdout, stderr,
            TimedOut: signal == 9 && elapsed >= TimeSpan.FromSeconds(timeout),
            Truncated: stdoutCut || stderrCut, (long)elapsed.TotalMilliseconds, Via: "fly");
    }

    /// <summary>Destroys the machine; one that is already gone counts as destroyed. A failure is the outcome, not thrown.</summary>
    public async Task<MachineOutcome> DestroyAsync(string app, string machineId)
    {
        try
        {
            await machines.DestroyMachineAsync(app, machineId, force: true);
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

    private MachineConfig ConfigFor(MachineRequest request)
    {
        var env = AgentEnv(request.Env);
        env[AgentEnvironment.SessionId] = request.SessionId;
        env[AgentEnvironment.SessionToken] = request.Token;
        env[AgentEnvironment.Runtime] = request.Runtime;
        WorkspaceMount.AddTo(env, request.WorkspaceVolumeId);
        var metadata = new Dictionary<string, string>(request.Metadata) { [SessionMetadataKey] = request.SessionId };
        return MachineFor(request.Shape, env, metadata) with { Mounts = WorkspaceMount.For(request.WorkspaceVolumeId) };
    }

    private MachineConfig PoolConfigFor(PooledMachineRequest request)
    {
        var env = AgentEnv(extra: null);
        env.Remove(AgentEnvironment.TraceParent); // a pool machine's agent starts for no request: its trace begins with its claim
        env[AgentEnvironment.PoolToken] = request.PoolToken;
        env[AgentEnvironment.Pool] = request.Pool;
        var metadata = new Dictionary<string, string> { [PoolMetadataKey] = request.Pool, [PoolConfigMetadataKey] = request.ConfigVersion };
        return MachineFor(request.Shape, env, metadata);
    }

    /// <summary>Everything a pool machine is made from but its name and credential: when any of it changes, its machines are stale.</summary>
    public string PoolConfigVersion(MachineShape shape)
    {
        var env = AgentEnv(extra: null);
        env.Remove(AgentEnvironment.TraceParent); // the trace of the moment, not what the machine is
        var config = MachineFor(shape, env, new Dictionary<string, string>());
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(config, AgentCluster.Fly.Json.FlyJson.Options);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json))[..16];
    }

    /// <summary>What every agent gets: where to call, how often, and its telemetry settings.</summary>
    private Dictionary<string, string> AgentEnv(IReadOnlyDictionary<string, string>? extra)
    {
        var settings = options.Value;
        var env = new Dictionary<string, string>(extra ?? new Dictionary<string, string>())
        {
            [AgentEnvironment.OrchestratorUrls] = string.Join(',', callbackUrls.Get()),
            [AgentEnvironment.HeartbeatInterval] = settings.HeartbeatInterval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [AgentEnvironment.OrphanTimeout] = settings.AgentOrphanTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [ControlProtocol.PortVariable] = settings.AgentControlPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        AgentTelemetryEnvironment.AddTo(env, telemetry.Value);
        return env;
    }

    private static MachineConfig MachineFor(MachineShape shape, Dictionary<string, string> env, Dictionary<string, string> metadata) => new()
    {
        Image = shape.Image,
        Env = env,
        Metadata = metadata,
        Guest = new MachineGuest { CpuKind = shape.Guest.CpuKind, Cpus = shape.Guest.Cpus, MemoryMb = shape.Guest.MemoryMb },
        // Not auto_destroy: Fly destroys such a machine on any stop, and a sleeping session needs its machine
        // stopped or suspended, not gone. The session destroys it when it ends; the reaper's reconciliation catches any
        // machine whose session ended without it (and a stopped machine bills no CPU meanwhile). A crashed
        // agent gets a few restarts (it resumes the session), never an endless loop.
        AutoDestroy = false,
        Restart = new MachineRestart { Policy = "on-failure", MaxRetries = 3 },
        StopConfig = new StopConfig { Signal = "SIGTERM", Timeout = TimeSpan.FromSeconds(10) },
    };

    private static SessionException TranslateCall(FlyApiException e, string action) => new(
        e.IsTransient || e.Kind == FlyErrorKind.RateLimited ? SessionErrorKind.MachineProviderUnavailable : SessionErrorKind.MachineProviderRejected,
        $"Fly could not {action} the machine ({(int)e.StatusCode}: {e.FlyMessage}).", retryAfter: e.RetryAfter);

    /// <param name="image">The image the machine was to run, for the message when Fly rejects it.</param>
    private SessionException Translate(FlyApiException e, string app, string? image = null) => e.Kind switch
    {
        FlyErrorKind.Unauthorized or FlyErrorKind.Forbidden => new(SessionErrorKind.MachineProviderRejected,
            $"Fly refused the API token ({(int)e.StatusCode}: {e.FlyMessage}): check FLY_API_TOKEN has access to app '{app}'."),
        FlyErrorKind.NotFound => new(SessionErrorKind.MachineProviderRejected,
            $"Fly app '{app}' was not found ({e.FlyMessage}): check FLY_AGENT_APP (or FLY_AGENT_APPS)."),
        FlyErrorKind.BadRequest or FlyErrorKind.Unprocessable or FlyErrorKind.FailedPrecondition => new(SessionErrorKind.MachineProviderRejected,
            $"Fly rejected the machine ({(int)e.StatusCode}: {e.FlyMessage}); image '{image ?? options.Value.AgentImage}'."),
        FlyErrorKind.RateLimited => new(SessionErrorKind.MachineProviderUnavailable,
            "Fly is rate-limiting machine creation; retry the same request later.", retryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => new(SessionErrorKind.MachineProviderUnavailable,
            $"Fly could not create the machine ({(int)e.StatusCode}: {e.FlyMessage}); retry the same request."),
    };

    [LoggerMessage(3000, LogLevel.Warning, "Create of machine {MachineName} got no answer within {Timeout}; looking it up")]
    private partial void LogCreateUnanswered(string machineName, TimeSpan timeout);

    [LoggerMessage(3001, LogLevel.Warning, "Create of machine {MachineName} ended with {Status} ({Kind}); looking it up")]
    private partial void LogCreateFailed(string machineName, int status, FlyErrorKind kind);

    [LoggerMessage(3002, LogLevel.Warning, "Create of machine {MachineName} lost its connection; looking it up")]
    private partial void LogCreateDisconnected(Exception e, string machineName);

    [LoggerMessage(3003, LogLevel.Information, "Adopting machine {MachineId} with a new session token")]
    private partial void LogAdopting(string machineId);

    [LoggerMessage(3004, LogLevel.Warning, "Fly would not suspend machine {MachineId} ({Reason}); stopping it instead")]
    private partial void LogSuspendRefused(string machineId, string reason);

    [LoggerMessage(3005, LogLevel.Information, "Machine {MachineId} put to sleep: {Mode}")]
    private partial void LogAsleep(string machineId, SleepMode mode);
}
