using AgentCluster.Silo.Auth;
using Microsoft.AspNetCore.Authentication;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// The OpenAI routes' door: the node's API keys (the same scheme as <c>/sessions</c>, <see cref="ApiKeyAuthentication"/>),
/// but a refusal, and every failure the session API would answer with a ProblemDetails, in OpenAI's error shape
/// (<see cref="OpenAiError"/>), since that is what an OpenAI client reads. Failures the node calls bugs go on to its
/// exception handler, which logs them.
/// </summary>
public sealed class OpenAiGuard : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var auth = await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (!auth.Succeeded)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return OpenAiError.Result(StatusCodes.Status401Unauthorized, OpenAiError.Of(
                auth.Failure?.Message ?? "This API needs an API key: 'Authorization: Bearer <API key>'.",
                OpenAiError.InvalidRequest, "invalid_api_key"));
        }
        http.User = auth.Principal;
        try
        {
            return await next(context);
        }
        catch (Exception e) when (!http.Response.HasStarted && OpenAiError.For(e) is { } failure)
        {
            return OpenAiError.Result(failure.Status, failure.Error);
        }
    }
}
