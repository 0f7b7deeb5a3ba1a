using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Api;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The agent protocol (see <see cref="AgentProtocol"/>): the agent in a session's machine pushes events and
/// heartbeats and long-polls its next turn, authenticated by its session's bearer token. What an agent may
/// send is the session's rule (<see cref="Grains.AgentRules"/>); this only maps HTTP onto it. Unknown JSON
/// fields are accepted here (unlike the public API): an agent image newer than the node may send more.
/// </summary>
public static class AgentApi
{
    public static RouteGroupBuilder MapAgentProtocol(this IEndpointRouteBuilder routes)
    {
        var limits = routes.ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        var agent = routes.MapGroup("/agent/sessions/{id}")
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxAgentRequestBodyBytes))
            .WithSessionLogScope()
            .ExcludeFromDescription(); // the agents' own protocol, not the public API's document

        agent.MapPost("/events", async (string id, AgentEventBatch? body, HttpRequest request, IGrainFactory grains) =>
            TypedResults.Ok(await grains.Session(SessionIds.Check(id)).AgentPushAsync(
                BearerToken(request), body ?? throw SessionException.Invalid("body", "a JSON body {\"instance\": ..., \"events\": [...]} is required."))));

        agent.MapPost("/heartbeat", async (string id, AgentHello? body, HttpRequest request, IGrainFactory grains) =>
            TypedResults.Ok(await grains.Session(SessionIds.Check(id)).AgentHeartbeatAsync(BearerToken(request), body?.Instance ?? "")));

        agent.MapGet("/setup", async (string id, HttpRequest request, IGrainFactory grains) =>
            TypedResults.Ok(ModelGateway.ModelGatewayUrl.Complete(
                await grains.Session(SessionIds.Check(id)).AgentSetupAsync(BearerToken(request)), request, id)));

        agent.MapGet("/turns/next", (string id, int? after, string? instance, double? wait, HttpContext context, IGrainFactory grains, NodeDrain drain) =>
        {
            if (after is < 0) throw SessionException.Invalid("after", "after must be a turn number ≥ 0.");
            return HoldPollAsync(context, drain, wait, (grain, token, held, ct) => grain.AgentNextTurnAsync(token, instance ?? "", after ?? 0, held, ct), grains, id);
        });

        agent.MapGet("/turns/{turn:int}/interrupt", (string id, int turn, double? wait, HttpContext context, IGrainFactory grains, NodeDrain drain) =>
        {
            if (turn < 1) throw SessionException.Invalid("turn", "turn must be a turn number ≥ 1.");
            return HoldPollAsync(context, drain, wait, (grain, token, held, ct) => grain.AgentWatchTurnAsync(token, turn, held, ct), grains, id);
        });

        return agent;
    }

    /// <summary>
    /// A long poll: held open up to <c>wait</c> seconds, 200 with what came or 204 when nothing did. A poll held
    /// open must not hold up this node's shutdown: it then ends with 503, and the agent polls another node.
    /// </summary>
    private static Task<IResult> HoldPollAsync<T>(
        HttpContext context, NodeDrain drain, double? wait,
        Func<ISessionGrain, string, TimeSpan, CancellationToken, Task<T?>> poll, IGrainFactory grains, string id) where T : class =>
        HoldPollAsync(context, drain, wait, async (token, held, ct) =>
            await poll(grains.Session(SessionIds.Check(id)), token, held, ct) is { } answer ? TypedResults.Ok(answer) : null);

    /// <summary>
    /// Any long poll of the agent protocol (<paramref name="poll"/> gets the bearer token and how long to hold): its
    /// answer, or 204 when it has none; ended with 503 when this node shuts down, so that the agent polls another.
    /// </summary>
    internal static async Task<IResult> HoldPollAsync(
        HttpContext context, NodeDrain drain, double? wait, Func<string, TimeSpan, CancellationToken, Task<IResult?>> poll)
    {
        var token = BearerToken(context.Request);
        var held = PollWait(wait);
        using var polling = drain.Hold(context);
        try
        {
            return await poll(token, held, polling.Token) ?? Results.NoContent();
        }
        catch (OperationCanceledException) when (drain.IsDraining)
        {
            throw new NodeDrainingException();
        }
    }

    /// <summary>How long a long poll is held: its <c>wait</c> in seconds, at most 60, else <see cref="AgentProtocol.MaxPollWait"/>.</summary>
    private static TimeSpan PollWait(double? wait) =>
        wait is { } seconds && !(seconds is >= 0 and <= 60) // written so that NaN fails too
            ? throw SessionException.Invalid("wait", "wait must be between 0 and 60 seconds.")
            : TimeSpan.FromSeconds(wait ?? AgentProtocol.MaxPollWait.TotalSeconds);

    private static string BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7
            ? header[7..].Trim()
            : throw new UnauthorizedAccessException("The agent protocol needs 'Authorization: Bearer <session token>'.");
    }
}
