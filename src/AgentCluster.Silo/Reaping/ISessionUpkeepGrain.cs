using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Reaping;

/// <summary>
/// What the reaper asks of a session (the same grain as <c>ISessionGrain</c>, a separate face of it: internal
/// services have no business calling these). The session decides and acts; all its machine calls stay in it.
/// </summary>
[Alias("AgentCluster.ISessionUpkeepGrain")]
public interface ISessionUpkeepGrain : IGrainWithStringKey
{
    /// <summary>
    /// Acts on each of the session's deadlines that has passed (heartbeat expiry, stall, idle stop, retention,
    /// a destroy to retry) and puts the session's next one in the reaper's schedule (or takes it out).
    /// </summary>
    [Alias("Check")]
    Task CheckAsync();

    /// <summary>
    /// A machine of an agents' app tagged with this session's id, which the reaper has seen for
    /// <paramref name="seenFor"/>: the session keeps it, adopts it or destroys it.
    /// </summary>
    [Alias("Reconcile")]
    Task<MachineVerdict> ReconcileAsync(string app, string machineId, TimeSpan seenFor);
}

[GenerateSerializer, Alias("AgentCluster.MachineVerdict")]
public enum MachineVerdict
{
    /// <summary>The session's own machine.</summary>
    Kept,

    /// <summary>The session had lost track of it (a crash between create and record) and took it back.</summary>
    Adopted,

    /// <summary>Its session is over, unknown or has another machine.</summary>
    Destroyed,

    /// <summary>Unknown session, but the machine is too young to call an orphan yet.</summary>
    Spared,
}
