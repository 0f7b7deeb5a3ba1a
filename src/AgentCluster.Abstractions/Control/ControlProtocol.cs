namespace AgentCluster.Abstractions.Control;

/// <summary>
/// The node → agent protocol: how a node reaches into a session's machine (exec, files, archives). The agent
/// serves it over HTTP on the machine's private address (Fly's 6PN address, <c>FLY_PRIVATE_IP</c>; the emulator gives
/// each machine its own 127.x.y.z) at <see cref="PortVariable"/> (default <see cref="DefaultPort"/>). Every call
/// carries <c>Authorization: Bearer &lt;control key&gt;</c>: the key the session handed the agent at setup
/// (<see cref="Agents.AgentSetup.ControlKey"/>); the agent answers 503 before it has one, 401 for another.
/// <list type="bullet">
/// <item><c>POST /exec</c> body <see cref="ExecRequest"/> → 200 <see cref="ExecResult"/>; with <c>Accept: text/event-stream</c>
/// SSE instead: <see cref="ExecOutputEvent"/> frames (<c>exec.output</c>) as output comes, then one <see cref="ExecExitEvent"/> (<c>exec.exit</c>).</item>
/// <item><c>GET /files?path=dir</c> → 200 <see cref="FileList"/>.</item>
/// <item><c>GET /files/{*path}</c> → the bytes (content type from the extension, <c>ETag</c>, <c>Range</c>).</item>
/// <item><c>PUT /files/{*path}</c> body the bytes → 201 (new) or 200 (replaced) <see cref="FileWritten"/>: parents made, atomic replace.</item>
/// <item><c>DELETE /files/{*path}</c> → 204 (a folder: with what is in it).</item>
/// <item><c>GET /archive?path=dir</c> → a <c>.tar.gz</c> (<c>application/gzip</c>) of the workspace or a folder of it, streamed.</item>
/// <item><c>PUT /archive?path=dir</c> body a <c>.tar.gz</c> → 200 <see cref="ArchiveUnpacked"/>.</item>
/// </list>
/// Every path is relative to the workspace and confined to it: <c>..</c>, absolute paths and symlinks that lead out
/// are 400. Errors are ProblemDetails (<c>application/problem+json</c>), which a node relays as they are. JSON is
/// snake_case (<see cref="Agents.ProtocolJson"/>).
/// </summary>
public static class ControlProtocol
{
    /// <summary>The agent's control port, on the machine's private address; the node sets it in the machine's env.</summary>
    public const string PortVariable = "AGENTCLUSTER_CONTROL_PORT";

    public const int DefaultPort = 7070;

    public const string ExecPath = "exec";
    public const string FilesPath = "files";
    public const string ArchivePath = "archive";

    /// <summary>The SSE event types of a streamed exec.</summary>
    public const string ExecOutputEventType = "exec.output";
    public const string ExecExitEventType = "exec.exit";

    public const string GzipContentType = "application/gzip";

    /// <summary>The longest an exec may run (<see cref="ExecRequest.TimeoutS"/>), and its default.</summary>
    public const int MaxTimeoutSeconds = 3600;
    public const int DefaultTimeoutSeconds = 60;

    /// <summary>How much of each of stdout and stderr an exec keeps (<see cref="ExecRequest.MaxOutputBytes"/>), by default and at most.</summary>
    public const int DefaultMaxOutputBytes = 1024 * 1024;
    public const int MaxOutputBytesLimit = 16 * 1024 * 1024;

    public static string FilePath(string path) => $"{FilesPath}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
}
