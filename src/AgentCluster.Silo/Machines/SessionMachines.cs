using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// A session's Fly Machine: what it is created with, and the create made idempotent. Every machine has a
/// name derived from its session and the metadata <c>agentcluster_session</c>, so whoever asks again after a
/// timeout, a 5xx or a crash finds the machine that may already exist instead of creating a second one.
/// </summary>
public sealed class SessionMachines(
    IFlyMachinesApi machines, IOptions<FlyOptions> fly, IOptions<AgentSessionOptions> options, CallbackUrls callbackUrls, ILogger<SessionMachines> logger)
{
    public const string SessionMetadataKey = "agentcluster_session";

    private string App => fly.Value.AppName!;

    public static string NameFor(string sessionId) => "session-" + sessionId;

    /// <summary>
    /// The session's live machine, if one exists: asked by its metadata, so Fly answers with this session's
    /// machines only, not every machine of the app.
    /// </summary>
    public async Task<Machine?> FindAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var tagged = await machines.ListMachinesByMetadataAsync(App, SessionMetadataKey, sessionId, cancellationToken);
        return tagged.FirstOrDefault(m => m.Name == NameFor(sessionId) && MachineStates.IsActive(m.State));
    }

    /// <summary>
    /// Creates the machine, or adopts the one an earlier, ambiguous attempt created. Provider failures become
    /// <see cref="SessionException"/>s that say whether retrying can help.
    /// </summary>
    public async Task<Machine> CreateAsync(string sessionId, StartSession request, string runtime, string region, string token, CancellationToken cancellationToken = default)
    {
        var create = new CreateMachineRequest
        {
            Name = NameFor(sessionId),
            Region = region,
            Config = ConfigFor(sessionId, request, runtime, token),
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
            logger.LogWarning("Machine create for session {SessionId} got no answer within {Timeout}; looking it up by name", sessionId, timeout);
            return await FindAsync(sessionId, cancellationToken) is { } found ? await AdoptAsync(found, token, cancellationToken)
                : throw new SessionException(SessionErrorKind.MachineProviderUnavailable,
                    $"The Fly Machines API did not answer the machine create within {timeout.TotalSeconds:0.#} s. Retry the same request.", retryAfter: TimeSpan.FromSeconds(1));
        }
        catch (FlyApiException e) when (e.Kind is FlyErrorKind.Conflict || e.IsTransient)
        {
            // The create may have happened (a 408 or 5xx says nothing either way; a name conflict says it did).
            logger.LogWarning("Machine create for session {SessionId} ended with {Status} ({Kind}); looking it up by name", sessionId, (int)e.StatusCode, e.Kind);
            return await FindAsync(sessionId, cancellationToken) is { } found ? await AdoptAsync(found, token, cancellationToken) : throw Translate(e);
        }
        catch (FlyApiException e)
        {
            throw Translate(e);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Machine create for session {SessionId} lost its connection; looking it up by name", sessionId);
            return await FindAsync(sessionId, cancellationToken) is { } found ? await AdoptAsync(found, token, cancellationToken)
                : throw new SessionException(SessionErrorKind.MachineProviderUnavailable, $"The Fly Machines API could not be reached: {e.Message}. Retry the same request.");
        }
    }

    /// <summary>
    /// Takes over a machine found by name (made by an earlier attempt, or by this one before its answer was
    /// lost). When it carries another token than <paramref name="token"/>, it gets this one: Fly updates the
    /// config and restarts the machine, and its agent comes back with a token the session knows.
    /// </summary>
    public async Task<Machine> AdoptAsync(Machine found, string token, CancellationToken cancellationToken = default)
    {
        try
        {
            var machine = await machines.GetMachineAsync(App, found.Id, cancellationToken);
            var config = machine.Config ?? new MachineConfig();
            if (config.Env?.GetValueOrDefault(AgentEnvironment.SessionToken) == token) return machine;
            var env = new Dictionary<string, string>(config.Env ?? []) { [AgentEnvironment.SessionToken] = token };
            logger.LogInformation("Adopting machine {MachineId} with a new session token", machine.Id);
            return await machines.UpdateMachineAsync(App, machine.Id, new UpdateMachineRequest { Config = config with { Env = env } }, cancellationToken: cancellationToken);
        }
        catch (FlyApiException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>Destroys the machine; one that is already gone counts as destroyed.</summary>
    public async Task DestroyAsync(string machineId, CancellationToken cancellationToken = default)
    {
        try
        {
            await machines.DestroyMachineAsync(App, machineId, force: true, cancellationToken: cancellationToken);
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound)
        {
        }
    }

    private MachineConfig ConfigFor(string sessionId, StartSession request, string runtime, string token)
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
        var metadata = new Dictionary<string, string>(request.Metadata ?? new Dictionary<string, string>())
        {
            [SessionMetadataKey] = sessionId,
        };
        return new MachineConfig
        {
            Image = settings.AgentImage,
            Env = env,
            Metadata = metadata,
            Guest = new MachineGuest
            {
                CpuKind = request.Guest?.CpuKind ?? settings.CpuKind,
                Cpus = request.Guest?.Cpus ?? settings.Cpus,
                MemoryMb = request.Guest?.MemoryMb ?? settings.MemoryMb,
            },
            // The agent exits when its session ends; the machine goes with it. A crashed agent gets a few
            // restarts (it resumes the session), never an endless loop.
            AutoDestroy = true,
            Restart = new MachineRestart { Policy = "on-failure", MaxRetries = 3 },
            StopConfig = new StopConfig { Signal = "SIGTERM", Timeout = TimeSpan.FromSeconds(10) },
        };
    }

    private SessionException Translate(FlyApiException e) => e.Kind switch
    {
        FlyErrorKind.Unauthorized or FlyErrorKind.Forbidden => new(SessionErrorKind.MachineProviderRejected,
            $"Fly refused the API token ({(int)e.StatusCode}: {e.FlyMessage}): check FLY_API_TOKEN has access to app '{App}'."),
        FlyErrorKind.NotFound => new(SessionErrorKind.MachineProviderRejected,
            $"Fly app '{App}' was not found ({e.FlyMessage}): check FLY_APP_NAME."),
        FlyErrorKind.BadRequest or FlyErrorKind.Unprocessable or FlyErrorKind.FailedPrecondition => new(SessionErrorKind.MachineProviderRejected,
            $"Fly rejected the machine ({(int)e.StatusCode}: {e.FlyMessage}); image '{options.Value.AgentImage}'."),
        FlyErrorKind.RateLimited => new(SessionErrorKind.MachineProviderUnavailable,
            "Fly is rate-limiting machine creation; retry the same request later.", retryAfter: e.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => new(SessionErrorKind.MachineProviderUnavailable,
            $"Fly could not create the machine ({(int)e.StatusCode}: {e.FlyMessage}); retry the same request."),
    };
}
