using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Logging;
using Microsoft.AspNetCore.Mvc;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.ModelGateway;

/// <summary>
/// The model gateway: Anthropic's Messages API for the agents, per session, at
/// <c>/agent/sessions/{id}/anthropic/</c> (<see cref="AgentProtocol.ModelGatewayPath"/>), which a session's runtime
/// takes as its ANTHROPIC_BASE_URL. A machine never holds a real model key: its runtime presents the session's model
/// token, and <see cref="ModelRelay"/> passes each call on to the node's upstream (Anthropic, or ANTHROPIC_BASE_URL)
/// with the real key added there, and meters what it used. Errors here are Anthropic's JSON, as its clients expect.
/// </summary>
public static class ModelGatewayApi
{
    /// <summary>Anthropic's own limit on a Messages API request (32 MB): a conversation with images can be large.</summary>
    public const long MaxRequestBodyBytes = 32L * 1024 * 1024;

    public static RouteGroupBuilder MapModelGateway(this IEndpointRouteBuilder routes)
    {
        var gateway = routes.MapGroup("/agent/sessions/{id}/anthropic")
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBodyBytes))
            .WithSessionLogScope()
            .ExcludeFromDescription(); // the agents' model API, not the public API's document

        gateway.MapPost("/v1/messages", (string id, HttpContext context, ModelRelay relay) =>
            relay.RelayAsync(context, id, "v1/messages", metered: true));
        gateway.MapPost("/v1/messages/count_tokens", (string id, HttpContext context, ModelRelay relay) =>
            relay.RelayAsync(context, id, "v1/messages/count_tokens", metered: false));
        // Anything else a client may try (its connectivity probe, an endpoint the gateway does not pass on).
        gateway.Map("/{**rest}", (HttpContext context) => AnthropicErrors.WriteAsync(context, StatusCodes.Status404NotFound,
            AnthropicErrors.NotFound, $"The model gateway passes on POST v1/messages and v1/messages/count_tokens only, not {context.Request.Method} {context.Request.Path}."));
        return gateway;
    }
}
