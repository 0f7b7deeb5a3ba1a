using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// The sessions' port to their machines. Fly's types and errors stop here: every call answers with our own
/// records, and every provider failure is a <see cref="SessionException"/> that says whether retrying can help,
/// except a destroy, which answers with its <see cref="MachineOutcome"/> (the session retries it later).
/// </summary>
public interface IMachines
{
    /// <summary>The session's live machine, if one exists.</summary>
    Task<SessionMachine?> FindAsync(string sessionId);

    /// <summary>Creates the session's machine, or adopts the one an earlier, ambiguous attempt created.</summary>
    /// <param name="workspaceVolumeId">The session's workspace volume, mounted at /workspace; null without one.</param>
    Task<SessionMachine> CreateAsync(string sessionId, StartSession request, string runtime, string region, string token, string? workspaceVolumeId);

    /// <summary>Takes over a machine found by name, handing it <paramref name="token"/>.</summary>
    Task<SessionMachine> AdoptAsync(string machineId, string token);

    /// <summary>
    /// Puts an idle session's machine to sleep: suspended where Fly allows it for <paramref name="guest"/>
    /// (<see cref="SleepModes"/>), else stopped. Answers how it slept.
    /// </summary>
    Task<SleepMode> SleepAsync(string machineId, GuestSpec guest);

    /// <summary>Wakes a sleeping machine: resumed when suspended (or still suspending), booted again when stopped.</summary>
    Task StartAsync(string machineId);

    /// <summary>Destroys the machine; one already gone counts as destroyed.</summary>
    Task<MachineOutcome> DestroyAsync(string machineId);

    /// <summary>Every live machine of the app tagged with a session, for reconciliation.</summary>
    Task<IReadOnlyList<TaggedMachine>> ListTaggedAsync();
}

/// <summary>A session's machine as the session knows it.</summary>
public sealed record SessionMachine(string Id, string? Region);

/// <summary>What became of a machine call that the session does not wait on: done, or failed for now.</summary>
public readonly record struct MachineOutcome(Exception? Failure)
{
    public static readonly MachineOutcome Done = new(null);

    public bool Succeeded => Failure is null;
}
