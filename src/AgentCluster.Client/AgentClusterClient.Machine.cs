using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.Client;

/// <summary>Reaching into the session's machine: exec, the workspace's files and archives. None of these calls is retried.</summary>
public sealed partial class AgentClusterClient
{
    /// <summary>
    /// Runs a command in the session's machine and answers its exit code and output. <paramref name="via"/>:
    /// null (the agent, else Fly's exec), <c>agent</c> (no fallback) or <c>fly</c>.
    /// </summary>
    public Task<ExecResult> ExecAsync(string sessionId, ExecRequest request, string? via = null, CancellationToken ct = default) =>
        SendAsync<ExecResult>(HttpMethod.Post, Session(sessionId) + "/exec" + Query(("via", via)), Json(request), ct);

    /// <summary>Runs a command and yields its output as it comes, then its exit (always the last frame).</summary>
    public async IAsyncEnumerable<ExecStreamEvent> ExecStreamAsync(string sessionId, ExecRequest request, string? via = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, Session(sessionId) + "/exec" + Query(("via", via))) { Content = Json(request) };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await SendRawAsync(message, ct, HttpCompletionOption.ResponseHeadersRead);
        var frames = SseParser.Create(await response.Content.ReadAsStreamAsync(ct), ParseExecFrame);
        await foreach (var frame in frames.EnumerateAsync(ct))
        {
            if (frame.Data is not { } next) continue; // a frame of a type this client does not know
            yield return next;
            if (next is ExecStreamEvent.Exit) yield break;
        }
    }

    private static ExecStreamEvent? ParseExecFrame(string type, ReadOnlySpan<byte> data) => type switch
    {
        ControlProtocol.ExecOutputEventType => new ExecStreamEvent.Output(Deserialize<ExecOutputEvent>(data)),
        ControlProtocol.ExecExitEventType => new ExecStreamEvent.Exit(Deserialize<ExecExitEvent>(data)),
        _ => null,
    };

    private static T Deserialize<T>(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize<T>(data, ProtocolJson.Options) ?? throw new JsonException($"An empty {typeof(T).Name} frame.");

    /// <summary>A folder of the workspace (<paramref name="path"/> relative to it; null: the workspace itself).</summary>
    public Task<FileList> ListFilesAsync(string sessionId, string? path = null, CancellationToken ct = default) =>
        SendAsync<FileList>(HttpMethod.Get, Session(sessionId) + "/files" + Query(("path", path)), null, ct);

    /// <summary>Copies a file of the workspace into <paramref name="destination"/>, streamed.</summary>
    public async Task DownloadFileAsync(string sessionId, string path, Stream destination, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, FilePath(sessionId, path)), ct, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.CopyToAsync(destination, ct);
    }

    /// <summary>Writes <paramref name="content"/> to a file of the workspace (parents made; replaced atomically).</summary>
    public async Task<FileWritten> UploadFileAsync(string sessionId, string path, Stream content, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Put, FilePath(sessionId, path)) { Content = Bytes(content, "application/octet-stream") }, ct);
        return await ReadAsync<FileWritten>(response, ct);
    }

    /// <summary>Deletes a file, or a folder with what is in it.</summary>
    public async Task DeleteFileAsync(string sessionId, string path, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Delete, FilePath(sessionId, path)), ct);
    }

    /// <summary>Copies the workspace (or a folder of it) as a .tar.gz into <paramref name="destination"/>, streamed.</summary>
    public async Task DownloadArchiveAsync(string sessionId, string? path, Stream destination, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, Session(sessionId) + "/archive" + Query(("path", path))), ct,
            HttpCompletionOption.ResponseHeadersRead);
        await response.Content.CopyToAsync(destination, ct);
    }

    /// <summary>Unpacks a .tar.gz into the workspace (or a folder of it).</summary>
    public async Task<ArchiveUnpacked> UploadArchiveAsync(string sessionId, string? path, Stream tarGz, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, Session(sessionId) + "/archive" + Query(("path", path))) { Content = Bytes(tarGz, ControlProtocol.GzipContentType) };
        using var response = await SendRawAsync(request, ct);
        return await ReadAsync<ArchiveUnpacked>(response, ct);
    }

    /// <summary>The route of a workspace file: each segment of <paramref name="path"/> escaped, the slashes kept.</summary>
    private static string FilePath(string sessionId, string path) =>
        Session(sessionId) + "/files/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));

    private static StreamContent Bytes(Stream content, string type) =>
        new(content) { Headers = { ContentType = new MediaTypeHeaderValue(type) } };
}
