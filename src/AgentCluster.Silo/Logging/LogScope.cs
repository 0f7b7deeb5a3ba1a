using System.Collections;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Logging;

/// <summary>
/// The ids a log line is found by (session, machine, workspace), as a logging scope: structured formatters
/// (JSON console, OpenTelemetry) write each as a field, the simple console writes "SessionId:… MachineId:…".
/// Ids only: never a token, a key or a prompt.
/// </summary>
public sealed class LogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string SessionId = "SessionId";
    public const string MachineId = "MachineId";
    public const string Workspace = "Workspace";

    private readonly KeyValuePair<string, object?>[] ids;

    private LogScope(params KeyValuePair<string, object?>[] ids) => this.ids = ids;

    // Made for every request about a session (heartbeats too): one array, no LINQ (it showed in a heartbeat's profile).
    public static LogScope ForSession(string sessionId, string? machineId = null) => machineId is null
        ? new(new KeyValuePair<string, object?>(SessionId, sessionId))
        : new(new(SessionId, sessionId), new(MachineId, machineId));

    public static LogScope ForWorkspace(string name) => new(new KeyValuePair<string, object?>(Workspace, name));

    public KeyValuePair<string, object?> this[int index] => ids[index];
    public int Count => ids.Length;
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)ids).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => string.Join(' ', ids.Select(i => $"{i.Key}:{i.Value}"));
}

/// <summary>A grain whose calls log under its ids (see <see cref="GrainLogScopes"/>).</summary>
public interface IHasLogScope
{
    LogScope LogScope { get; }
}
