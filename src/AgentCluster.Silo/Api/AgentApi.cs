using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Api;

/// <summary>
/// The agent protocol (see <see cref="AgentProtocol"/>): the agent in a session's machine pushes events and
/// heartbeats and long-polls its next turn, authenticated by its session's bearer token.
/// </summary>
public static class AgentApi
{
    public const int MaxEventsPerBatch = 500;
    public const int MaxPayloadLength = 256 * 1024;

    public static RouteGroupBuilder MapAgentProtocol(this IEndpointRouteBuilder routes)
    {
        var agent = routes.MapGroup("/agent/sessions/{id}");

        agent.MapPost("/events", async (string id, AgentEventBatch? body, HttpRequest request, IGrainFactory grains) =>
        {
            var token = BearerToken(request);
            var batch = Check(body);
            return TypedResults.Ok(await grains.GetGrain<ISessionGrain>(SessionIds.Check(id)).AgentPushAsync(token, batch));
        });

        agent.MapPost("/heartbeat", async (string id, AgentHello? body, HttpRequest request, IGrainFactory grains) =>
        {
            var token = BearerToken(request);
            var instance = CheckInstance(body?.Instance);
            return TypedResults.Ok(await grains.GetGrain<ISessionGrain>(SessionIds.Check(id)).AgentHeartbeatAsync(token, instance));
        });

        agent.MapGet("/turns/next", async (string id, int? after, string? instance, double? wait, HttpContext context, IGrainFactory grains) =>
        {
            var token = BearerToken(context.Request);
            if (after is < 0) throw SessionException.Invalid("after", "after must be a turn number ≥ 0.");
            if (wait is < 0 or > 60) throw SessionException.Invalid("wait", "wait must be between 0 and 60 seconds.");
            var turn = await grains.GetGrain<ISessionGrain>(SessionIds.Check(id)).AgentNextTurnAsync(
                token, CheckInstance(instance), after ?? 0, TimeSpan.FromSeconds(wait ?? AgentProtocol.MaxPollWait.TotalSeconds), context.RequestAborted);
            return turn is null ? Results.NoContent() : TypedResults.Ok(turn);
        });

        return agent;
    }

    private static string BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7
            ? header[7..].Trim()
            : throw new UnauthorizedAccessException("The agent protocol needs 'Authorization: Bearer <session token>'.");
    }

    private static string CheckInstance(string? instance) =>
        instance is { Length: > 0 and <= 64 } ? instance : throw SessionException.Invalid("instance", "instance (1-64 characters, the agent process's id) is required.");

    private static AgentEventBatch Check(AgentEventBatch? batch)
    {
        if (batch is null) throw SessionException.Invalid("body", "a JSON body {\"instance\": ..., \"events\": [...]} is required.");
        CheckInstance(batch.Instance);
        if (batch.Events is null) throw SessionException.Invalid("events", "events is required (it may be empty).");
        if (batch.Events.Count > MaxEventsPerBatch) throw SessionException.Invalid("events", $"at most {MaxEventsPerBatch} events per batch.");
        foreach (var e in batch.Events)
        {
            if (e.Seq < 1) throw SessionException.Invalid("events.seq", "seq must be 1 or more.");
            if (!EventTypes.FromAgent.Contains(e.Type ?? ""))
                throw SessionException.Invalid("events.type", $"'{e.Type}' is not an event type an agent may send ({string.Join(", ", EventTypes.FromAgent)}).");
            if (e.Payload is null || !e.Payload.TrimStart().StartsWith('{'))
                throw SessionException.Invalid("events.payload", $"event {e.Seq}: payload must be a JSON object.");
            if (e.Payload.Length > MaxPayloadLength)
                throw SessionException.Invalid("events.payload", $"event {e.Seq}: payload may be at most {MaxPayloadLength} characters; split long output.");
        }
        return batch;
    }
}
