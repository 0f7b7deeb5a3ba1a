using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.State;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// <c>/wait</c> as Fly answers it: any of the states satisfies it (<c>settled</c> = any persistent state),
/// scoped to a version or to events after a given one; 408 with flyd's <c>deadline_exceeded</c> message
/// when the time runs out, 404 once a destroyed machine is gone.
/// </summary>
internal sealed class MachineWaiter(EmulatorStore store, TimeProvider time)
{
    public static readonly string[] WaitableStates = [MachineStates.Started, MachineStates.Stopped, MachineStates.Suspended,
        MachineStates.Destroyed, MachineStates.Failed, MachineStates.Settled];

    public async Task<WaitMachineResponse> WaitAsync(
        EmulatedApp app, string machineId, IReadOnlyList<string> states, string? version, string? fromEventId,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var m = store.FindMachine(app, machineId) ?? throw FlyError.MachineNotFound();
            Task changed;
            string current;
            lock (m.Sync)
            {
                current = m.State;
                changed = m.Changed;
                if (Satisfied(m, states, version, fromEventId))
                    return new WaitMachineResponse { Ok = true, State = current, Version = m.Version, EventId = m.LatestEventId };
            }
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
                throw new FlyError(408, $"deadline_exceeded: machine failed to reach desired state, {states[0]}, currently {current}");
            try
            {
                await changed.WaitAsync(remaining, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private static bool Satisfied(EmulatedMachine m, IReadOnlyList<string> states, string? version, string? fromEventId)
    {
        var stateMatches = states.Contains(m.State) || (states.Contains(MachineStates.Settled) && MachineStates.IsSettled(m.State));
        if (!stateMatches) return false;
        // A destroyed machine is destroyed whatever version was asked about.
        if (version is not null && m.State != MachineStates.Destroyed && m.Version != version) return false;
        return fromEventId is null || string.CompareOrdinal(m.LatestEventId, fromEventId) > 0;
    }
}
