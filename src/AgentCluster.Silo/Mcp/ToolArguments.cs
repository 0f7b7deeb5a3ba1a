using System.Text.Json;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// A tool call's arguments checked against the tool's input schema before the tool runs, so that a missing or mistyped
/// argument is answered by its name (the SDK's binding would fail with a bare "An error occurred invoking …").
/// </summary>
public static class ToolArguments
{
    /// <summary>What is wrong with the arguments, said for the caller to fix; null when nothing the schema says is.</summary>
    public static string? Problem(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>())
                if (!arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null) return $"{name} is required.";
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object) return null;
        foreach (var (name, value) in arguments)
        {
            if (!properties.TryGetProperty(name, out var property) || !property.TryGetProperty("type", out var type)) continue;
            string[] types = type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString() ?? "")] : [type.GetString() ?? ""];
            if (!types.Any(t => Fits(value, t))) return $"{name} must be a JSON {string.Join(" or ", types.Where(t => t != "null"))}.";
        }
        return null;
    }

    private static bool Fits(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        _ => true, // a type this check does not know: the SDK's binding decides
    };
}
