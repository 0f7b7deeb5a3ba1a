using System.Security.Claims;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Control;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;
using AgentCluster.Silo.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Api;

namespace AgentCluster.Silo.Sessions;

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
            .WithSessionLogScope()
            .WithTags("Sessions")
            .ProducesPublicApiProblems(); // 401 and 503 on every route

        sessions.MapPost("", async Task<Results<Created<SessionView>, Ok<SessionView>>> (
            CreateSessionRequest? body, ClaimsPrincipal caller, IGrainFactory grains, PresetResolver presets) =>
        {
            if (body is null) throw SessionException.Invalid("body", "a JSON body is required: {\"prompt\": \"...\"}.");
            var id = body.SessionId is null ? SessionIds.New() : SessionIds.Check(body.SessionId);
            // Another owner's session_id is a 409 from the session itself, before it looks at anything else.
            var result = await grains.Session(id).StartAsync(presets.Resolve(body, caller.Owner()));
            return result.Created
                ? TypedResults.Created($"/sessions/{id}", result.Session)
                : TypedResults.Ok(result.Session);
        })
            .WithName("CreateSession")
            .WithSummary("Start a session: a machine running an agent, and its first turn")
            .WithDescription("201 once Fly accepted the machine. The same session_id again returns the same session (200) " +
                "without a second machine; 409 when another key uses that id. Unknown fields are refused (400).")
            .Accepts<CreateSessionRequest>("application/json")
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesMachineProviderProblems();

        sessions.MapGet("", async (string? cursor, int? limit, ClaimsPrincipal caller, ISessionCatalog catalog, IGrainFactory grains) =>
        {
            var size = limit ?? 20;
            if (size is < 1 or > 100) throw SessionException.Invalid("limit", "limit must be between 1 and 100.");
            var owner = caller.Owner();
            CatalogPage page;
            try { page = await catalog.ListAsync(owner, cursor, size); }
            catch (ArgumentException e) { throw SessionException.Invalid("cursor", e.Message); }
            var views = await Task.WhenAll(page.SessionIds.Select(id => grains.Session(id).GetAsync()));
            return TypedResults.Ok(new SessionList(views.Where(v => v?.Owner == owner).OfType<SessionView>().ToList(), page.NextCursor));
        })
            .WithName("ListSessions")
            .WithSummary("The caller's sessions, newest first, a page at a time (limit 1-100, default 20; next_cursor for the next page)")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        sessions.MapGet("/{id}", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok((await grains.OwnedAsync(id, caller.Owner())).View))
            .WithName("GetSession")
            .WithSummary("A session: its status, machine, turns and last event id")
            .ProducesSessionProblems();

        sessions.MapGet("/{id}/events", (string id, long? after, ClaimsPrincipal caller, HttpContext context, EventStream stream) =>
            stream.ServeAsync(id, caller.Owner(), after, context))
            .WithName("StreamSessionEvents")
            .WithSummary("The session's events as Server-Sent Events, from Last-Event-ID or ?after= on")
            .WithDescription("Each frame: 'id: <seq>', 'event: <type>', 'data: {seq, type, turn, at, payload}'. A ': keep-alive' " +
                "comment every 15 s while idle; the stream ends after the 'terminated' status.")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesSessionProblems();

        sessions.MapPost("/{id}/messages", async (string id, SendMessageRequest? body, ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var (session, _) = await grains.OwnedAsync(id, caller.Owner());
            var turn = await session.SendMessageAsync(
                body?.Content ?? throw SessionException.Invalid("content", "content is required: {\"content\": \"...\"}."));
            return TypedResults.Accepted($"/sessions/{id}", new SendMessageResponse(id, turn));
        })
            .WithName("SendMessage")
            .WithSummary("Queue the next turn: turns run in order; a sleeping session wakes")
            .Accepts<SendMessageRequest>("application/json")
            .ProducesSessionProblems()
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesMachineProviderProblems();

        sessions.MapPost("/{id}/interrupt", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var (session, _) = await grains.OwnedAsync(id, caller.Owner());
            return TypedResults.Accepted($"/sessions/{id}", new InterruptResponse(id, await session.InterruptAsync()));
        })
            .WithName("InterruptSession")
            .WithSummary("Stop the running turn (or the next one, before it starts); 409 when no turn is open")
            .ProducesSessionProblems()
            .ProducesProblem(StatusCodes.Status409Conflict);

        sessions.MapPost("/{id}/restart", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var (session, _) = await grains.OwnedAsync(id, caller.Owner());
            return TypedResults.Accepted($"/sessions/{id}", await session.RestartAsync());
        })
            .WithName("RestartSession")
            .WithSummary("Destroy the session's machine and make a new one (same id, settings, workspace): status starting, reason restarted, then idle; the running turn ends interrupted, queued turns run on the new machine")
            .ProducesSessionProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesMachineProviderProblems();

        sessions.MapDelete("/{id}", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok(await (await grains.OwnedAsync(id, caller.Owner())).Grain.DeleteAsync()))
            .WithName("DeleteSession")
            .WithSummary("End the session: its machine is destroyed, status terminated, reason deleted")
            .ProducesSessionProblems()
            .ProducesMachineProviderProblems();

        return sessions.MapSessionExec().MapSessionFiles();
    }
}
