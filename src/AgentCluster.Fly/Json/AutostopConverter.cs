using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Fly.Json;

/// <summary>
/// <c>services[].autostop</c> is "off" | "stop" | "suspend" in the spec, but legacy configs (and the
/// live API's echo) use booleans: true means "stop", false means "off". Written back as the spec's string.
/// </summary>
public sealed class AutostopConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.True => "stop",
            JsonTokenType.False => "off",
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"Expected autostop as a boolean or \"off\"/\"stop\"/\"suspend\", got {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
