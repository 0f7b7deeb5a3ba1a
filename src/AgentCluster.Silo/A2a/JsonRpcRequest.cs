using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// One JSON-RPC 2.0 request: its id (echoed in the answer), method and params. A body that is not one is refused with
/// JSON-RPC's codes: -32700 for JSON that does not parse, -32600 for a request that is not valid (batches included:
/// A2A sends none).
/// </summary>
public sealed record JsonRpcRequest(JsonNode? Id, string Method, JsonElement Params)
{
    /// <exception cref="JsonRpcRequestException">Not a valid request; the id, when it could be read, for the answer.</exception>
    public static async Task<JsonRpcRequest> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try { document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken); }
        catch (JsonException e) { throw new JsonRpcRequestException(null, new JsonRpcError(JsonRpcError.ParseError, $"The body is not JSON: {e.Message}")); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(null, "The body must be one JSON-RPC request object: {\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"SendMessage\", \"params\": {...}}.");
            JsonNode? id = null;
            if (root.TryGetProperty("id", out var rawId))
            {
                if (rawId.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
                    throw Invalid(null, "id must be a string, a number or null.");
                id = JsonNode.Parse(rawId.GetRawText());
            }
            if (!root.TryGetProperty("jsonrpc", out var version) || !version.ValueEquals("2.0"))
                throw Invalid(id, "jsonrpc must be \"2.0\".");
            if (!root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() is not { Length: > 0 } name)
                throw Invalid(id, "method must be a method's name, such as \"SendMessage\".");
            var @params = root.TryGetProperty("params", out var p) ? p.Clone() : default;
            return new JsonRpcRequest(id, name, @params);
        }
    }

    private static JsonRpcRequestException Invalid(JsonNode? id, string message) => new(id, new JsonRpcError(JsonRpcError.InvalidRequest, message));
}

/// <summary>A body that is not a valid JSON-RPC request: <see cref="Error"/> is the answer, to <see cref="Id"/> when it was read.</summary>
public sealed class JsonRpcRequestException(JsonNode? id, JsonRpcError error) : Exception(error.Message)
{
    public JsonNode? Id { get; } = id;
    public JsonRpcError Error { get; } = error;
}
