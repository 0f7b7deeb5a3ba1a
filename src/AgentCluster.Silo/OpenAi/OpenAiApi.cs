using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// The OpenAI-compatible routes, <c>/v1/chat/completions</c> and <c>/v1/models</c>: a thin map onto sessions
/// (<see cref="ChatCompletions"/>), behind the node's API keys, its errors in OpenAI's shape (<see cref="OpenAiGuard"/>).
/// </summary>
public static class OpenAiApi
{
    public static RouteGroupBuilder MapOpenAi(this IEndpointRouteBuilder routes)
    {
        var limits = routes.ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        // Made from the node's services, so that the node registers the adapter with this one call; at the first request,
        // not here: the node's start-up checks (bad presets, options) must stop it with their own message first.
        var guard = new OpenAiGuard();
        var chat = new Lazy<ChatCompletions>(() => ActivatorUtilities.CreateInstance<ChatCompletions>(routes.ServiceProvider));
        var v1 = routes.MapGroup("/v1")
            .AddEndpointFilter(guard)
            .WithMetadata(guard) // so the OpenAPI document names the API key scheme on these routes
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxRequestBodyBytes))
            .WithTags("OpenAI");

        v1.MapGet("/models", () => TypedResults.Json(chat.Value.Models(), ProtocolJson.Options))
            .WithName("ListOpenAiModels")
            .WithSummary("The models a chat completion can name: each preset, then each runtime")
            .ProducesOpenAiErrors();

        v1.MapPost("/chat/completions", (HttpContext http, CancellationToken aborted) => chat.Value.AnswerAsync(http, aborted))
            .WithName("CreateChatCompletion")
            .WithSummary("One turn of a session as an OpenAI chat completion (stream: true for chat.completion.chunk SSE)")
            .WithDescription("The last user message is the turn. X-Session-ID (or metadata.session_id, or user) continues that session; " +
                "otherwise model (a preset or a runtime) starts a one-shot task session that ends after the answer. The response's " +
                "X-Session-ID names the session. Errors are OpenAI's {error: {message, type, param, code}}.")
            .Accepts<ChatCompletionRequest>("application/json")
            .Produces<ChatCompletionChunk>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesOpenAiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status424FailedDependency, StatusCodes.Status429TooManyRequests, StatusCodes.Status502BadGateway);

        return v1;
    }

    /// <summary>OpenAI's error body at each status, with the 401 and 503 of every route.</summary>
    private static RouteHandlerBuilder ProducesOpenAiErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Append(StatusCodes.Status401Unauthorized).Append(StatusCodes.Status503ServiceUnavailable))
            builder.Produces<OpenAiError>(status);
        return builder;
    }
}
