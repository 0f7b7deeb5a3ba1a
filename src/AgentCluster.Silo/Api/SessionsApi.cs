using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentCluster.Silo.Api;

/// <summary>The public API: sessions, their messages and their event streams. Each handler maps HTTP to one grain call.</summary>
public static class SessionsApi
{
    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var sessions = routes.MapGroup("/sessions");

        sessions.MapPost("", async Task<Results<Created<SessionView>, Ok<SessionView>>> (CreateSessionRequest? body, IGrainFactory grains) =>
        {
            if (body is null) throw SessionException.Invalid("body", "a JSON body is required: {\"prompt\": \"...\"}.");
            var id = body.SessionId is null ? SessionIds.New() : SessionIds.Check(body.SessionId);
            var result = await grains.GetGrain<ISessionGrain>(id).StartAsync(new StartSession
            {
                Prompt = body.Prompt ?? throw SessionException.Invalid("prompt", "prompt is required."),
                Runtime = body.Runtime,
                Region = body.Region,
                Guest = body.Guest,
                Env = body.Env,
                Metadata = body.Metadata,
            });
            return result.Created
                ? TypedResults.Created($"/sessions/{id}", result.Session)
                : TypedResults.Ok(result.Session);
        });

        sessions.MapGet("", async (string? cursor, int? limit, ISessionCatalog catalog, IGrainFactory grains) =>
        {
            var size = limit ?? 20;
            if (size is < 1 or > 100) throw SessionException.Invalid("limit", "limit must be between 1 and 100.");
            CatalogPage page;
            try { page = await catalog.ListAsync(cursor, size); }
            catch (ArgumentException e) { throw SessionException.Invalid("cursor", e.Message); }
            var views = await Task.WhenAll(page.SessionIds.Select(id => grains.GetGrain<ISessionGrain>(id).GetAsync()));
            return TypedResults.Ok(new SessionList(views.OfType<SessionView>().ToList(), page.NextCursor));
        });

        sessions.MapGet("/{id}", async (string id, IGrainFactory grains) =>
            TypedResults.Ok(await grains.GetGrain<ISessionGrain>(SessionIds.Check(id)).GetAsync() ?? throw SessionException.NotFound(id)));

        sessions.MapGet("/{id}/events", (string id, long? after, HttpContext context, EventStream stream) =>
            stream.ServeAsync(SessionIds.Check(id), after, context));

        sessions.MapPost("/{id}/messages", async (string id, SendMessageRequest? body, IGrainFactory grains) =>
        {
            var turn = await grains.GetGrain<ISessionGrain>(SessionIds.Check(id)).SendMessageAsync(
                body?.Content ?? throw SessionException.Invalid("content", "content is required: {\"content\": \"...\"}."));
            return TypedResults.Accepted($"/sessions/{id}", new SendMessageResponse(id, turn));
        });

        sessions.MapDelete("/{id}", async (string id, IGrainFactory grains) =>
            TypedResults.Ok(await grains.GetGrain<ISessionGrain>(SessionIds.Check(id)).DeleteAsync()));

        return sessions;
    }
}
