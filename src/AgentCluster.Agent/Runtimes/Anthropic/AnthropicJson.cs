using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>
/// The runtime builds its JSON as nodes and hands the SDK elements (raw JSON it sends as is); the conversion
/// is generated at compile time, as the agent is published as Native AOT.
/// </summary>
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class AnthropicJson : JsonSerializerContext
{
    /// <summary>Readable JSON text for the session's events: <c>&gt;</c> and non-ASCII as they are, not \u-escaped (the payload is JSON-encoded again anyway).</summary>
    private static readonly JsonWriterOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonElement Element(JsonNode node) => JsonSerializer.SerializeToElement(node, Default.JsonNode);

    public static string Text(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Readable)) node.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
