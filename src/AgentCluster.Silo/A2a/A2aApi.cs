using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// The Agent2Agent protocol's routes: the public agent card (<see cref="A2aAgentCard"/>) and the JSON-RPC endpoint
/// (<see cref="A2aEndpoint"/>), a thin map onto sessions. Left out of the OpenAPI document: JSON-RPC has one route for
/// every method, which OpenAPI cannot describe; the agent card is its description.
/// </summary>
public static class A2aApi
{
    public static IEndpointRouteBuilder MapA2a(this IEndpointRouteBuilder routes)
    {
        var limits = routes.ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        // Made from the node's services, so that the node registers the adapter with this one call; at the first request,
        // not here: the node's start-up checks (bad presets, options) must stop it with their own message first.
        var services = routes.ServiceProvider;
        var card = new Lazy<A2aAgentCard>(() => ActivatorUtilities.CreateInstance<A2aAgentCard>(services));
        var endpoint = new Lazy<A2aEndpoint>(() => ActivatorUtilities.CreateInstance<A2aEndpoint>(services, ActivatorUtilities.CreateInstance<A2aTasks>(services)));

        routes.MapGet(A2aAgentCard.Path, (HttpRequest request) =>
                TypedResults.Text(card.Value.For($"{SchemeOf(request)}://{request.Host}{request.PathBase}").ToJsonString(A2aWire.Json), "application/json"))
            .ExcludeFromDescription();
        routes.MapPost(A2aAgentCard.Endpoint, (HttpContext http, CancellationToken aborted) => endpoint.Value.AnswerAsync(http, aborted))
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxRequestBodyBytes))
            .ExcludeFromDescription();
        return routes;
    }

    /// <summary>
    /// https when a proxy in front of the node (Fly's, which ends TLS) says the caller used it: the card's URLs are the
    /// caller's way in. Only the card's text depends on it, so a forged header misleads no one but its sender.
    /// </summary>
    private static string SchemeOf(HttpRequest request) =>
        request.Headers["X-Forwarded-Proto"].ToString() is var forwarded && forwarded is "https" or "http" ? forwarded : request.Scheme;
}
