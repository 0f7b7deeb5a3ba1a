using AgentCluster.Abstractions.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace AgentCluster.Agent.Control;

/// <summary>
/// The routes of <see cref="ControlProtocol"/>, as plain request delegates (no reflection to bind them, so the agent
/// stays AOT-clean). A refusal is thrown as <see cref="ControlRefusal"/> and written by the server's error handling.
/// </summary>
internal static class ControlEndpoints
{
    private static readonly Lazy<FileExtensionContentTypeProvider> ContentTypes = new(() => new FileExtensionContentTypeProvider());

    public static void Map(IEndpointRouteBuilder app, ControlGate gate)
    {
        // The gate lets no call through before it is armed: Current is set here.
        ControlGate.Armed Session() => gate.Current!;

        app.MapPost($"/{ControlProtocol.ExecPath}", (RequestDelegate)(context => ExecEndpoint.HandleAsync(context, Session().Files.Paths)));
        app.MapGet($"/{ControlProtocol.FilesPath}", (RequestDelegate)(context =>
            Results.Json(Session().Files.List(context.Request.Query["path"]), ControlJson.Default.FileList).ExecuteAsync(context)));
        app.MapGet($"/{ControlProtocol.FilesPath}/{{**path}}", (RequestDelegate)(context => ReadAsync(context, Session().Files)));
        app.MapPut($"/{ControlProtocol.FilesPath}/{{**path}}", (RequestDelegate)(context => WriteAsync(context, Session().Files)));
        app.MapDelete($"/{ControlProtocol.FilesPath}/{{**path}}", (RequestDelegate)(context =>
        {
            Session().Files.Delete(RoutePath(context));
            return Results.NoContent().ExecuteAsync(context);
        }));
        app.MapGet($"/{ControlProtocol.ArchivePath}", (RequestDelegate)(context => ArchiveAsync(context, Session().Archive)));
        app.MapPut($"/{ControlProtocol.ArchivePath}", (RequestDelegate)(async context =>
        {
            var unpacked = await Session().Archive.UnpackAsync(context.Request.Query["path"], context.Request.Body, context.RequestAborted);
            await Results.Json(unpacked, ControlJson.Default.ArchiveUnpacked).ExecuteAsync(context);
        }));
    }

    private static string? RoutePath(HttpContext context) => context.Request.RouteValues["path"] as string;

    /// <summary>The bytes, with the framework's handling of <c>ETag</c>/<c>If-None-Match</c> (304), <c>Range</c> (206) and <c>If-Range</c>.</summary>
    private static Task ReadAsync(HttpContext context, WorkspaceFiles files)
    {
        var file = files.Paths.Resolve(RoutePath(context));
        var stream = files.OpenRead(file);
        var contentType = ContentTypes.Value.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream";
        var lastModified = new DateTimeOffset(File.GetLastWriteTimeUtc(stream.SafeFileHandle));
        return TypedResults.File(stream, contentType, lastModified: lastModified, entityTag: FileTags.Of(stream), enableRangeProcessing: true)
            .ExecuteAsync(context);
    }

    /// <summary>The body streamed to disk as it comes: no size limit here (the node enforces its own).</summary>
    private static async Task WriteAsync(HttpContext context, WorkspaceFiles files)
    {
        var file = files.Paths.Resolve(RoutePath(context));
        var (created, size, etag) = await files.WriteAsync(file, context.Request.Body, mode: null, context.RequestAborted);
        context.Response.Headers.ETag = etag;
        var status = created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await Results.Json(new FileWritten(file.Relative, size, etag), ControlJson.Default.FileWritten, statusCode: status).ExecuteAsync(context);
    }

    private static async Task ArchiveAsync(HttpContext context, WorkspaceArchive archive)
    {
        var folder = archive.Folder(context.Request.Query["path"]);
        var name = folder.Name.Length == 0 ? "workspace" : folder.Name;
        context.Response.ContentType = ControlProtocol.GzipContentType;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName($"{name}.tar.gz");
        context.Response.Headers.ContentDisposition = disposition.ToString();
        await archive.WriteAsync(folder, context.Response.Body, context.RequestAborted);
    }
}
