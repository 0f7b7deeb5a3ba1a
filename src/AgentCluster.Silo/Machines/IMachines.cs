using AgentCluster.Abstractions.Control;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// The sessions' and pools' port to their machines. Fly's types and errors stop here: every call answers with our
/// own records, and every provider failure is a <see cref="SessionException"/> that says whether retrying can help,
/// except a destroy, which answers with its <see cref="MachineOutcome"/> (the caller retries it later). Every machine
/// lives in one of the agents' apps (<see cref="AgentApps"/>); a call names it.
/// </summary>
public interface IMachines
{
    /// <summary>The session's live machine, if one exists, in whichever app.</summary>
    Task<SessionMachine?> FindAsync(string sessionId);

    /// <summary>Creates the session's machine in <paramref name="app"/>, or adopts the one an earlier, ambiguous attempt created.</summary>
    Task<SessionMachine> CreateAsync(string app, MachineRequest request);

    /// <summary>Creates a pool machine: its agent waits for a session with the pool credential only.</summary>
    Task<SessionMachine> CreatePooledAsync(string app, PooledMachineRequest request);

    /// <summary>
    /// Takes over a machine found by its tag (an ambiguous create's, or a claimed pool machine nobody took over), handing
    /// it the session and its token (<paramref name="request"/>): Fly updates its config and restarts it.
    /// </summary>
    Task<SessionMachine> AdoptAsync(string app, string machineId, MachineRequest request);

    /// <summary>A claimed pool machine becomes the session's: tagged with it (and its metadata), and started (resumed).</summary>
    Task TakeOverAsync(string app, string machineId, string sessionId, IReadOnlyDictionary<string, string> metadata);

    /// <summary>
    /// Puts a machine to sleep (an idle session's, a ready pool machine): suspended where Fly allows it for
    /// <paramref name="guest"/> (<see cref="SleepModes"/>), else stopped. Answers how it slept.
    /// </summary>
    Task<SleepMode> SleepAsync(string app, string machineId, GuestSpec guest);

    /// <summary>Wakes a sleeping machine: resumed when suspended (or still suspending), booted again when stopped.</summary>
    Task StartAsync(string app, string machineId);

    /// <summary>
    /// Runs a command through Fly's own exec endpoint (<c>POST /apps/{app}/machines/{id}/exec</c>), beside the agent: the
    /// way in when the agent does not answer. Fly's limits apply (no streaming, no env, no cwd: the request's cwd and env
    /// are applied by wrapping the command in <c>bash -c</c>); the result says <c>via: fly</c>.
    /// </summary>
    Task<ExecResult> ExecAsync(string app, string machineId, ExecRequest request, CancellationToken cancellationToken);

    /// <summary>Destroys the machine; one already gone counts as destroyed.</summary>
    Task<MachineOutcome> DestroyAsync(string app, string machineId);

    /// <summary>What a pool machine of <paramref name="shape"/> is made from, hashed: a machine made otherwise is stale.</summary>
    string PoolConfigVersion(MachineShape shape);

    /// <summary>Every live machine of every agents' app tagged with a session or a pool, for reconciliation.</summary>
    Task<IReadOnlyList<TaggedMachine>> ListTaggedAsync();
}

/// <summary>A session's machine as the session knows it; <see cref="PrivateIp"/> is where its agent's control server listens.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.SessionMachine")]
public sealed record SessionMachine([property: Id(0)] string Id, [property: Id(1)] string? Region, [property: Id(2)] string App, [property: Id(3)] string? PrivateIp = null);

/// <summary>What becomes of a machine call that the caller does not wait on: done, or failed for now.</summary>
public readonly record struct MachineOutcome(Exception? Failure)
{
    public static readonly MachineOutcome Done = new(null);

    public bool Succeeded => Failure is null;
}

/// <summary>A machine of an agents' app and the session or pool its metadata names (a claimed pool machine: both).</summary>
public sealed record TaggedMachine(string App, string MachineId, string? SessionId, string? Pool);

/// <summary>A session's machine, as it is to be made (or handed over to an adopted one).</summary>
/// <param name="Env">The request's env, for the machine only (never stored in clear).</param>
/// <param name="Token">The session's bearer token for this agent; the session keeps only its hash.</param>
public sealed record MachineRequest(
    string SessionId, MachineShape Shape, string Runtime, string Token,
    IReadOnlyDictionary<string, string>? Env, IReadOnlyDictionary<string, string> Metadata, string? WorkspaceVolumeId)
{
    public override string ToString() => $"MachineRequest(session: {SessionId}, shape: {Shape.Name}, runtime: {Runtime})";
}

/// <summary>A pool machine as it is to be made: named and tagged for its pool, with the pool credential only.</summary>
/// <param name="ConfigVersion">What the machine is made from, hashed: a pool replaces machines whose version is not the current one.</param>
public sealed record PooledMachineRequest(string Pool, string Name, MachineShape Shape, string PoolToken, string ConfigVersion)
{
    public override string ToString() => $"PooledMachineRequest(pool: {Pool}, name: {Name})";
}
