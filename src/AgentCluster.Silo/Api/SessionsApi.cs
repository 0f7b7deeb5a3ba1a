using System.Security.Claims;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;
using AgentCluster.Silo.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Api;

/// <summary>
/// The public API: sessions, their messages and their event streams. Each handler maps HTTP to one grain call,
/// for the caller's own sessions only (<see cref="SessionAccess"/>): every route needs an API key when keys
/// are configured (<see cref="ApiKeyAuthentication"/>), and bodies are capped at FrontDoor:MaxRequestBodyBytes.
/// </summary>
public static class SessionsApi
{
    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var limits = routes.ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        var sessions = routes.MapGroup("/sessions")
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxRequestBodyBytes))
            .WithSessionLogScope();

        sessions.MapPost("", async Task<Results<Created<SessionView>, Ok<SessionView>>> (
            CreateSessionRequest? body, ClaimsPrincipal caller, IGrainFactory grains, PresetResolver presets) =>
        {
            if (body is null) throw SessionException.Invalid("body", "a JSON body is required: {\"prompt\": \"...\"}.");
            var id = body.SessionId is null ? SessionIds.New() : SessionIds.Check(body.SessionId);
            // Another owner's session_id is a 409 from the session itself, before it looks at anything else.
            var result = await grains.GetGrain<ISessionGrain>(id).StartAsync(presets.Resolve(body, caller.Owner()));
            return result.Created
                ? TypedResults.Created($"/sessions/{id}", result.Session)
                : TypedResults.Ok(result.Session);
        });

        sessions.MapGet("", async (string? cursor, int? limit, ClaimsPrincipal caller, ISessionCatalog catalog, IGrainFactory grains) =>
        {
            var size = limit ?? 20;
            if (size is < 1 or > 100) throw SessionException.Invalid("limit", "limit must be between 1 and 100.");
            var owner = caller.Owner();
            CatalogPage page;
            try { page = await catalog.ListAsync(owner, cursor, size); }
            catch (ArgumentException e) { throw SessionException.Invalid("cursor", e.Message); }
            var views = await Task.WhenAll(page.SessionIds.Select(id => grains.GetGrain<ISessionGrain>(id).GetAsync()));
            return TypedResults.Ok(new SessionList(views.Where(v => v?.Owner == owner).OfType<SessionView>().ToList(), page.NextCursor));
        });

        sessions.MapGet("/{id}", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok((await grains.OwnedAsync(id, caller.Owner())).View));

        sessions.MapGet("/{id}/events", (string id, long? after, ClaimsPrincipal caller, HttpContext context, EventStream stream) =>
            stream.ServeAsync(id, caller.Owner(), after, context));

        sessions.MapPost("/{id}/messages", async (string id, SendMessageRequest? body, ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var (session, _) = await grains.OwnedAsync(id, caller.Owner());
            var turn = await session.SendMessageAsync(
                body?.Content ?? throw SessionException.Invalid("content", "content is required: {\"content\": \"...\"}."));
            return TypedResults.Accepted($"/sessions/{id}", new SendMessageResponse(id, turn));
        });

        sessions.MapPost("/{id}/interrupt", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var (session, _) = await grains.OwnedAsync(id, caller.Owner());
            return TypedResults.Accepted($"/sessions/{id}", new InterruptResponse(id, await session.InterruptAsync()));
        });

        sessions.MapDelete("/{id}", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok(await (await grains.OwnedAsync(id, caller.Owner())).Grain.DeleteAsync()));

        return sessions;
    }
}
