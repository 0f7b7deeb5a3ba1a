using System.ComponentModel;
using System.Security.Claims;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// A session's transcript as an MCP resource, <c>agentcluster://sessions/{id}/transcript</c> (Markdown); the caller's
/// sessions are listed as such resources, newest first, a page at a time.
/// </summary>
[McpServerResourceType]
public sealed class TranscriptResource(TranscriptReader reader)
{
    public const string UriTemplate = "agentcluster://sessions/{id}/transcript";
    public const string MimeType = "text/markdown";

    private const int PageSize = 50;

    public static string Uri(string sessionId) => UriTemplate.Replace("{id}", sessionId, StringComparison.Ordinal);

    [McpServerResource(UriTemplate = UriTemplate, Name = "session_transcript", MimeType = MimeType)]
    [Description("A session's conversation so far: each turn's user message, the agent's text, its tool calls (one line each) and how the turn ended.")]
    public async Task<TextResourceContents> Transcript(ClaimsPrincipal caller, string id, CancellationToken cancellationToken) =>
        new() { Uri = Uri(id), MimeType = MimeType, Text = await reader.ReadAsync(id, McpCalls.Owner(caller), cancellationToken) };

    /// <summary>resources/list: the caller's sessions' transcripts (<c>GET /sessions</c>'s pages).</summary>
    public static async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> context, CancellationToken cancellationToken)
    {
        var services = context.Services ?? throw new InvalidOperationException("An MCP request came without its services.");
        var page = await SessionPages.ListAsync(services.GetRequiredService<ISessionCatalog>(), services.GetRequiredService<IGrainFactory>(),
            McpCalls.Owner(context.User), context.Params?.Cursor, PageSize);
        return new ListResourcesResult
        {
            Resources = [.. page.Sessions.Select(s => new Resource
            {
                Uri = Uri(s.SessionId),
                Name = $"session {s.SessionId}",
                Title = $"Transcript of session {s.SessionId}",
                Description = $"{s.Status.Name()}, {s.Turns} turn(s){(s.Preset is null ? "" : $", preset {s.Preset}")}, started {s.CreatedAt:u}",
                MimeType = MimeType,
            })],
            NextCursor = page.NextCursor,
        };
    }
}
