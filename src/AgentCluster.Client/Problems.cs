using System.Net;
using System.Text.Json;

namespace AgentCluster.Client;

/// <summary>A non-2xx answer → the typed exception for its status, with what its ProblemDetails body says.</summary>
internal static class Problems
{
    /// <summary>At most this much of a body that is not a ProblemDetails goes into the message.</summary>
    private const int MaxTextDetail = 200;

    public static async Task<AgentClusterException> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string body;
        try { body = await response.Content.ReadAsStringAsync(ct); }
        catch (Exception e) when (e is HttpRequestException or IOException) { body = ""; } // the status alone still says what happened
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null)
            : null;
        return From(status, response.ReasonPhrase, body, retryAfter);
    }

    public static AgentClusterException From(int status, string? reason, string body, TimeSpan? retryAfter)
    {
        var (title, detail, type, errors) = Parse(body) ?? (Fallback(status, reason), TextDetail(body), null, null);
        return status switch
        {
            400 or 413 or 415 or 422 => new InvalidRequestException(status, title, detail, type, errors),
            401 or 403 => new UnauthorizedException(status, title, detail, type, errors),
            404 => new SessionNotFoundException(status, title, detail, type, errors),
            409 => new ConflictException(status, title, detail, type, errors),
            429 => new RateLimitedException(status, title, detail, retryAfter, type, errors),
            502 or 503 or 504 => new ServiceUnavailableException(status, title, detail, type, errors),
            _ => new AgentClusterException(status, title, detail, type, errors),
        };
    }

    /// <summary>A ProblemDetails object: its title, detail and type, and the field at fault (the node's <c>field</c>, or ASP.NET Core's <c>errors</c>).</summary>
    private static (string, string?, string?, IReadOnlyDictionary<string, string[]>?)? Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "title") is not { } title) return null;
            var detail = String(root, "detail");
            var errors = new Dictionary<string, string[]>();
            if (String(root, "field") is { } field) errors[field] = [detail ?? title];
            if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in list.EnumerateObject())
                {
                    errors[entry.Name] = entry.Value.ValueKind == JsonValueKind.Array
                        ? entry.Value.EnumerateArray().Select(m => m.ToString()).ToArray()
                        : [entry.Value.ToString()];
                }
            }
            return (title, detail, String(root, "type"), errors);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Fallback(int status, string? reason) =>
        $"HTTP {status} {(string.IsNullOrWhiteSpace(reason) ? ((HttpStatusCode)status).ToString() : reason)}";

    /// <summary>A plain-text or HTML body (a proxy's): on one line, cut short.</summary>
    private static string? TextDetail(string body)
    {
        var line = string.Join(' ', body.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length == 0) return null;
        return line.Length <= MaxTextDetail ? line : line[..MaxTextDetail] + "…";
    }
}
