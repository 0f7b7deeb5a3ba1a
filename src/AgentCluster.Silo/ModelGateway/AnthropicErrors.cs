using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.ModelGateway;

/// <summary>
/// The model gateway's own refusals, in Anthropic's error shape (<c>{"type":"error","error":{"type","message"}}</c>)
/// rather than ProblemDetails: its callers are Anthropic clients (the Claude Code CLI, the SDK), which show an
/// error's message only when it comes in that shape.
/// </summary>
public static class AnthropicErrors
{
    public const string Authentication = "authentication_error";
    public const string Permission = "permission_error";
    public const string NotFound = "not_found_error";
    public const string InvalidRequest = "invalid_request_error";
    public const string Api = "api_error";

    /// <param name="retry">
    /// Whether the client should try again (<c>x-should-retry</c>, which Anthropic's clients obey): never for a
    /// refusal, which a retry cannot change, so that a refused turn ends at once rather than after minutes of back-off.
    /// </param>
    public static async Task WriteAsync(HttpContext context, int status, string type, string message, bool retry = false)
    {
        var response = context.Response;
        if (response.HasStarted) return; // a relay under way: its status and headers are gone already
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["x-should-retry"] = retry ? "true" : "false";
        if (status == StatusCodes.Status401Unauthorized) response.Headers.WWWAuthenticate = "Bearer";
        await JsonSerializer.SerializeAsync(response.Body, new ErrorBody("error", new ErrorDetail(type, message)), ErrorJson.Default.ErrorBody, context.RequestAborted);
    }
}

internal sealed record ErrorBody(string Type, ErrorDetail Error);

internal sealed record ErrorDetail(string Type, string Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class ErrorJson : JsonSerializerContext;
