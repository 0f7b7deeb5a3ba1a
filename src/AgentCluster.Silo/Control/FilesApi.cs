using System.Security.Claims;
using AgentCluster.Abstractions.Control;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Control;

/// <summary>
/// The workspace's files and archives on a session's machine: each call relayed to the agent's control server
/// (<see cref="ControlProtocol"/>), which confines every path to the workspace, streamed both ways.
/// </summary>
public static class FilesApi
{
    /// <summary>What a client may send that the agent's answer depends on: ranges and validators.</summary>
    private static readonly string[] RelayedRequestHeaders = ["Range", "If-Range", "If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since"];

    /// <summary>How long a file call keeps the machine from sleeping: a transfer of FrontDoor:MaxFileBytes at a modest rate.</summary>
    private static readonly TimeSpan TransferHold = TimeSpan.FromMinutes(5);

    public static RouteGroupBuilder MapSessionFiles(this RouteGroupBuilder sessions)
    {
        var limits = ((IEndpointRouteBuilder)sessions).ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        var fileSizeLimit = new RequestSizeLimitAttribute(limits.MaxFileBytes);

        sessions.MapGet("/{id}/files", (string id, string? path, HttpContext http, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent) =>
            RelayAsync(http, id, caller, door, agent, HttpMethod.Get, $"{ControlProtocol.FilesPath}?path={Uri.EscapeDataString(path ?? "")}"))
            .WithName("ListSessionFiles")
            .WithSummary("A folder of the session's workspace (path relative to it; default the workspace itself)")
            .Produces<FileList>()
            .ProducesWorkspaceProblems();

        sessions.MapGet("/{id}/files/{**path}", (string id, string path, HttpContext http, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent) =>
            RelayAsync(http, id, caller, door, agent, HttpMethod.Get, ControlProtocol.FilePath(path)))
            .WithName("DownloadSessionFile")
            .WithSummary("A file of the session's workspace: its bytes, with ETag and Range requests (206)")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesWorkspaceProblems();

        sessions.MapPut("/{id}/files/{**path}", (string id, string path, HttpContext http, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent) =>
            RelayAsync(http, id, caller, door, agent, HttpMethod.Put, ControlProtocol.FilePath(path), withBody: true))
            .WithMetadata(fileSizeLimit)
            .WithName("UploadSessionFile")
            .WithSummary($"Write a file into the session's workspace (the body's bytes; parents made; replaced atomically; at most FrontDoor:MaxFileBytes)")
            .Accepts<Stream>("application/octet-stream", "*/*") // any type: the bytes are written as they are
            .Produces<FileWritten>(StatusCodes.Status201Created)
            .Produces<FileWritten>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesWorkspaceProblems();

        sessions.MapDelete("/{id}/files/{**path}", (string id, string path, HttpContext http, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent) =>
            RelayAsync(http, id, caller, door, agent, HttpMethod.Delete, ControlProtocol.FilePath(path)))
            .WithName("DeleteSessionFile")
            .WithSummary("Delete a file (or a folder, with what is in it) of the session's workspace")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesWorkspaceProblems();

        sessions.MapGet("/{id}/archive", (string id, string? path, HttpContext http, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent) =>
            RelayAsync(http, id, caller, door, agent, HttpMethod.Get, $"{ControlProtocol.ArchivePath}?path={Uri.EscapeDataString(path ?? "")}"))
            .WithName("DownloadSessionArchive")
            .WithSummary("The session's workspace, or a folder of it, as a .tar.gz, streamed")
            .Produces<Stream>(StatusCodes.Status200OK, ControlProtocol.GzipContentType)
            .ProducesWorkspaceProblems();

        sessions.MapPut("/{id}/archive", (string id, string? path, HttpContext http, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent) =>
            RelayAsync(http, id, caller, door, agent, HttpMethod.Put, $"{ControlProtocol.ArchivePath}?path={Uri.EscapeDataString(path ?? "")}", withBody: true))
            .WithMetadata(fileSizeLimit)
            .WithName("UploadSessionArchive")
            .WithSummary("Unpack a .tar.gz into the session's workspace, or a folder of it (every entry confined to the workspace)")
            .Accepts<Stream>(ControlProtocol.GzipContentType, "*/*")
            .Produces<ArchiveUnpacked>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesWorkspaceProblems();

        return sessions;
    }

    private static async Task<IResult> RelayAsync(HttpContext http, string id, ClaimsPrincipal caller, MachineDoor door, AgentControlClient agent,
        HttpMethod method, string agentPath, bool withBody = false)
    {
        var access = await door.OpenReadyAsync(id, caller.Owner(), TransferHold, http.RequestAborted);
        try
        {
            // An upload is answered once it is all written; anything else at once.
            return new AgentAnswer(await agent.SendAsync(access, () => AgentRequest(http, method, agentPath, withBody), http.RequestAborted, prompt: !withBody));
        }
        catch (AgentUnreachableException e) when (e.TooLarge() is { } tooLarge)
        {
            throw tooLarge; // the client's body was over the limit: 413, not the agent's fault
        }
        catch (AgentUnreachableException e)
        {
            throw e.AsSessionProblem();
        }
    }

    private static HttpRequestMessage AgentRequest(HttpContext http, HttpMethod method, string agentPath, bool withBody)
    {
        var message = new HttpRequestMessage(method, agentPath);
        foreach (var name in RelayedRequestHeaders)
            if (http.Request.Headers.TryGetValue(name, out var values)) message.Headers.TryAddWithoutValidation(name, values.ToArray());
        if (withBody)
        {
            message.Content = new StreamContent(http.Request.Body);
            message.Content.Headers.ContentLength = http.Request.ContentLength;
            if (http.Request.ContentType is { } type) message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        return message;
    }

    /// <summary>Bad path (400), missing (404), the session's machine not reachable (503), terminated (409).</summary>
    private static RouteHandlerBuilder ProducesWorkspaceProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesSessionProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
