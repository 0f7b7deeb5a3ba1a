using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;

namespace AgentCluster.Fly;

public static class FlyMachinesApiExtensions
{
    /// <summary>Fly blocks a /wait call for at most this long.</summary>
    public static readonly TimeSpan MaxWaitPerCall = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Waits until the machine reaches any of <paramref name="states"/>, for up to <paramref name="timeout"/>
    /// overall, in /wait calls of at most 60 s each (a 408 before the deadline just means "call again").
    /// Throws <see cref="FlyApiException"/> with <see cref="FlyErrorKind.Timeout"/> once the deadline passes.
    /// </summary>
    public static async Task<WaitMachineResponse> WaitForStateAsync(
        this IFlyMachinesApi api, string appName, string machineId, string[] states, TimeSpan timeout,
        string? version = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var clock = timeProvider ?? TimeProvider.System;
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            var remaining = deadline - clock.GetUtcNow();
            var seconds = (int)Math.Clamp(Math.Ceiling(remaining.TotalSeconds), 1, MaxWaitPerCall.TotalSeconds);
            try
            {
                return await api.WaitMachineAsync(appName, machineId, states, seconds, version, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (FlyApiException e) when (e.Kind == FlyErrorKind.Timeout && clock.GetUtcNow() < deadline)
            {
            }
        }
    }

    /// <summary>
    /// The live (not destroyed) machine of the app with this name, or null. Names are unique per app, so this
    /// is how a caller finds out whether an ambiguous create (408, 5xx, lost connection) happened.
    /// </summary>
    public static async Task<Machine?> FindMachineByNameAsync(
        this IFlyMachinesApi api, string appName, string name, CancellationToken cancellationToken = default)
    {
        var machines = await api.ListMachinesAsync(appName, summary: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        return machines.FirstOrDefault(m => m.Name == name && MachineStates.IsActive(m.State));
    }
}
