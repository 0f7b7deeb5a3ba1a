using System.ComponentModel;
using System.Security.Claims;
using System.Text;
using AgentCluster.Abstractions.Control;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Control;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// A session's machine as MCP tools: a command run in it and a file of its workspace read, through the same agent
/// control calls as <c>POST /sessions/{id}/exec</c> and <c>GET /sessions/{id}/files/…</c> (<see cref="MachineExec"/>,
/// <see cref="MachineRelay"/>): a sleeping session wakes, every path stays in the workspace, each exec is in the session's log.
/// </summary>
[McpServerToolType]
public sealed class MachineTools(MachineExec exec, MachineRelay relay)
{
    /// <summary>How much of a file <c>read_file</c> answers: an agent's context is small, and GET /sessions/{id}/files has the rest.</summary>
    public const int MaxFileBytes = 256 * 1024;

    [McpServerTool(Name = "exec", UseStructuredContent = true, OpenWorld = false)]
    [Description("Run a shell command (bash -lc) in the session's machine, in its workspace, beside whatever turn runs. Answers " +
        "its exit_code, stdout and stderr (each kept up to 1 MiB; truncated says so) and timed_out.")]
    public async Task<ExecResult> Exec(
        ClaimsPrincipal caller,
        [Description("The session's id.")] string session_id,
        [Description("The command line, run by bash -lc.")] string command,
        [Description("The working directory, relative to the workspace (default: the workspace).")] string? cwd = null,
        [Description("Seconds before the command's process tree is killed (1-3600, default 60).")] int? timeout_s = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(command)) throw SessionException.Invalid("command", "command is required: a shell command line.");
        var request = new ExecRequest { Command = ExecCommand.Shell(command), Cwd = cwd, TimeoutS = timeout_s };
        if (request.Problem() is var (field, message)) throw SessionException.Invalid(field, message);
        return await exec.RunAsync(session_id, McpCalls.Owner(caller), request, cancellationToken);
    }

    [McpServerTool(Name = "read_file", ReadOnly = true, OpenWorld = false)]
    [Description("Read a text file of the session's workspace (path relative to it), up to 256 KiB; a longer file's start, said so.")]
    public async Task<IEnumerable<ContentBlock>> ReadFile(
        ClaimsPrincipal caller,
        [Description("The session's id.")] string session_id,
        [Description("The file's path, relative to the workspace (e.g. src/main.py).")] string path,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(path)) throw SessionException.Invalid("path", "path is required: a file's path relative to the workspace.");
        using var response = await relay.SendAsync(session_id, McpCalls.Owner(caller),
            () => new HttpRequestMessage(HttpMethod.Get, ControlProtocol.FilePath(path.TrimStart('/'))), cancellationToken);
        if (!response.IsSuccessStatusCode) throw await new AgentAnswer(response).RefusalAsync(cancellationToken);

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxFileBytes + 1];
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var bytes = buffer.AsSpan(0, Math.Min(read, MaxFileBytes));
        if (bytes.Contains((byte)0)) throw SessionException.Invalid("path", $"'{path}' is a binary file: download it with GET /sessions/{session_id}/files/{path}.");
        var text = Encoding.UTF8.GetString(bytes[..Utf8Cut.WholeLength(bytes)]);
        return read <= MaxFileBytes
            ? [new TextContentBlock { Text = text }]
            : [new TextContentBlock { Text = text }, new TextContentBlock { Text = $"[read_file: only the first {MaxFileBytes / 1024} KiB of '{path}'; the whole file is at GET /sessions/{session_id}/files/{path}]" }];
    }
}
