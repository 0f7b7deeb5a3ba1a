using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Control;

/// <summary>
/// The way into a session's machine for one front-door call: the caller's own session, woken if it sleeps, and its
/// agent's address and control key once the agent has set up. A session still starting (its machine being made, queued
/// for a create, booting, waking) is waited for, up to FrontDoor:MachineWaitTimeout.
/// </summary>
public sealed class MachineDoor(IGrainFactory grains, IOptions<FrontDoorOptions> options, TimeProvider time)
{
    /// <summary>How often a waiting call asks the session again: an agent's boot is a second or two.</summary>
    private static readonly TimeSpan AskEvery = TimeSpan.FromMilliseconds(200);

    /// <returns>The session and its machine's access: ready, or not ready when the wait is over (the caller falls back or refuses).</returns>
    /// <param name="holdFor">How long the call may use the machine: it is not put to sleep meanwhile.</param>
    public async Task<(ISessionGrain Session, MachineAccess Access)> OpenAsync(string sessionId, string owner, TimeSpan holdFor, CancellationToken cancellationToken)
    {
        var (session, _) = await grains.OwnedAsync(sessionId, owner);
        var deadline = time.GetUtcNow() + options.Value.MachineWaitTimeout;
        while (true)
        {
            var access = await session.OpenMachineAsync(holdFor);
            if (access.Ready || time.GetUtcNow() >= deadline) return (session, access);
            await Task.Delay(AskEvery, time, cancellationToken);
        }
    }

    /// <summary>The access, ready; else why not, as a 503 the caller may retry.</summary>
    public async Task<MachineAccess> OpenReadyAsync(string sessionId, string owner, TimeSpan holdFor, CancellationToken cancellationToken)
    {
        var (_, access) = await OpenAsync(sessionId, owner, holdFor, cancellationToken);
        return access.Ready ? access : throw NotReady(sessionId, access);
    }

    public SessionException NotReady(string sessionId, MachineAccess access) => new(SessionErrorKind.MachineUnreachable,
        access.MachineId is null
            ? $"Session '{sessionId}' has no machine yet (status {access.Status.ToString().ToLowerInvariant()}); try again in a moment."
            : $"The agent on session '{sessionId}''s machine {access.MachineId} has not called in within {options.Value.MachineWaitTimeout.TotalSeconds:0} s.",
        retryAfter: TimeSpan.FromSeconds(5));
}
