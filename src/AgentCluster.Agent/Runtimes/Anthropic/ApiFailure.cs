using System.Text.Json;
using Anthropic.Exceptions;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>Why a Messages API call failed, said for the session: the status and the API's own message, never the request.</summary>
internal static class ApiFailure
{
    /// <returns>The reason, or null for an exception that is not a failed call (a bug, to be reported as such).</returns>
    public static string? Reason(Exception exception) => exception switch
    {
        AnthropicApiException api => $"the Messages API answered {(int)api.StatusCode} {api.StatusCode}: {ErrorMessage(api.ResponseBody)}",
        AnthropicException other => $"the Messages API call failed: {other.Message}",
        HttpRequestException http => $"the Messages API could not be reached: {http.Message}",
        TimeoutException or TaskCanceledException => "the Messages API call timed out",
        _ => null,
    };

    /// <summary>The <c>error.message</c> of Anthropic's error body, else the body itself (cut short).</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message))
                return message.GetString() ?? body;
        }
        catch (JsonException)
        {
        }
        return body.Length > 500 ? body[..500] + "…" : body;
    }
}
