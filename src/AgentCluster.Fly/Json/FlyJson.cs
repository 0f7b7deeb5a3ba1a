using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Fly.Json;

/// <summary>The JSON conventions of the Machines API: snake_case names, nulls omitted, unknown fields tolerated.</summary>
public static class FlyJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}
