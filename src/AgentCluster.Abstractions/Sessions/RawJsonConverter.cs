using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// A string property that holds a JSON value as its raw text: read from any JSON value, written back as that
/// value (not as a quoted string). Lets a payload cross grain calls and storage as text, untouched.
/// </summary>
public sealed class RawJsonConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    // Unvalidated: every such value was parsed by Read on its way in, or serialized by the node itself; checking
    // again would parse each event once more for every reader of it.
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value, skipInputValidation: true);
}
