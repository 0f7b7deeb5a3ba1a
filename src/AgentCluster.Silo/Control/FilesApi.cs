using AgentCluster.Abstractions.Control;
using AgentCluster.Silo.Api;
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
    public static RouteGroupBuilder MapSessionFiles(this RouteGroupBuilder sessions)
    {
        var limits = ((IEndpointRouteBuilder)sessions).ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        var fileSizeLimit = new RequestSizeLimitAttribute(limits.MaxFileBytes);

        sessions.MapGet("/{id}/files", (string id, string? path, HttpContext http, MachineRelay relay) =>
            relay.SendAsync(http, id, HttpMethod.Get, $"{ControlProtocol.FilesPath}?path={Uri.EscapeDataString(path ?? "")}"))
            .WithName("ListSessionFiles")
            .WithSummary("A folder of the session's workspace (path relative to it; default the workspace itself)")
            .Produces<FileList>()
            .ProducesWorkspaceProblems();

        sessions.MapGet("/{id}/files/{**path}", (string id, string path, HttpContext http, MachineRelay relay) =>
            relay.SendAsync(http, id, HttpMethod.Get, ControlProtocol.FilePath(path)))
            .WithName("DownloadSessionFile")
            .WithSummary("A file of the session's workspace: its bytes, with ETag and Range requests (206)")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesWorkspaceProblems();

        sessions.MapPut("/{id}/files/{**path}", (string id, string path, HttpContext http, MachineRelay relay) =>
            relay.SendAsync(http, id, HttpMethod.Put, ControlProtocol.FilePath(path), withBody: true))
            .WithMetadata(fileSizeLimit)
            .WithName("UploadSessionFile")
            .WithSummary($"Write a file into the session's workspace (the body's bytes; parents made; replaced atomically; at most FrontDoor:MaxFileBytes)")
            .Accepts<Stream>("application/octet-stream", "*/*") // any type: the bytes are written as they are
            .Produces<FileWritten>(StatusCodes.Status201Created)
            .Produces<FileWritten>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesWorkspaceProblems();

        sessions.MapDelete("/{id}/files/{**path}", (string id, string path, HttpContext http, MachineRelay relay) =>
            relay.SendAsync(http, id, HttpMethod.Delete, ControlProtocol.FilePath(path)))
            .WithName("DeleteSessionFile")
            .WithSummary("Delete a file (or a folder, with what is in it) of the session's workspace")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesWorkspaceProblems();

        sessions.MapGet("/{id}/archive", (string id, string? path, HttpContext http, MachineRelay relay) =>
            relay.SendAsync(http, id, HttpMethod.Get, $"{ControlProtocol.ArchivePath}?path={Uri.EscapeDataString(path ?? "")}"))
            .WithName("DownloadSessionArchive")
            .WithSummary("The session's workspace, or a folder of it, as a .tar.gz, streamed")
            .Produces<Stream>(StatusCodes.Status200OK, ControlProtocol.GzipContentType)
            .ProducesWorkspaceProblems();

        sessions.MapPut("/{id}/archive", (string id, string? path, HttpContext http, MachineRelay relay) =>
            relay.SendAsync(http, id, HttpMethod.Put, $"{ControlProtocol.ArchivePath}?path={Uri.EscapeDataString(path ?? "")}", withBody: true))
            .WithMetadata(fileSizeLimit)
            .WithName("UploadSessionArchive")
            .WithSummary("Unpack a .tar.gz into the session's workspace, or a folder of it (every entry confined to the workspace)")
            .Accepts<Stream>(ControlProtocol.GzipContentType, "*/*")
            .Produces<ArchiveUnpacked>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesWorkspaceProblems();

        return sessions;
    }

    /// <summary>Bad path (400), missing (404), the session's machine not reachable (503), terminated (409).</summary>
    private static RouteHandlerBuilder ProducesWorkspaceProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesSessionProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
