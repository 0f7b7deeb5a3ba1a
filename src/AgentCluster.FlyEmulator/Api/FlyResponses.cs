using System.Text.Json;
using AgentCluster.Fly.Json;
using AgentCluster.FlyEmulator.Lifecycle;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>Bodies in Fly's shapes, and reading request bodies with Fly's answers to bad ones.</summary>
internal static class FlyResponses
{
    public static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, FlyJson.Options, "application/json; charset=utf-8", status);

    public static IResult Ok() => Json(new { ok = true });

    public static IResult Envelope<T>(T data, int status = StatusCodes.Status200OK) => Json(new { status = "success", data }, status);

    public static Task WriteErrorAsync(HttpContext context, FlyError error)
    {
        context.Response.StatusCode = error.StatusCode;
        object body = error.Envelope
            ? new { status = "error", message = error.Message }
            : error.ErrorStatus is null ? new { error = error.Message } : new { error = error.Message, status = error.ErrorStatus };
        return context.Response.WriteAsJsonAsync(body, FlyJson.Options, "application/json; charset=utf-8");
    }

    /// <summary>The JSON body; Fly answers <c>{"error":"EOF"}</c> to a missing one.</summary>
    public static async Task<T?> ReadBodyAsync<T>(HttpRequest request, bool required) where T : class
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
            return required ? throw FlyError.BadRequest("EOF") : null;
        try
        {
            return JsonSerializer.Deserialize<T>(text, FlyJson.Options) ?? (required ? throw FlyError.BadRequest("EOF") : null);
        }
        catch (JsonException e)
        {
            throw FlyError.BadRequest($"invalid JSON body: {e.Message}");
        }
    }
}
