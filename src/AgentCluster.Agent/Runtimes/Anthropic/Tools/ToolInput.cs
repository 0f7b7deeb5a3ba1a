using System.Text.Json;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>A tool call's input object, read field by field; a missing or mistyped field is the model's error, told back to it.</summary>
internal sealed class ToolInput(JsonElement input)
{
    public JsonElement Json { get; } = input;

    public string String(string name) =>
        OptionalString(name) ?? throw new ToolException($"'{name}' is required");

    public string? OptionalString(string name) => Field(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new ToolException($"'{name}' must be a string"),
    };

    public int? OptionalInt(string name) => Field(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        _ => throw new ToolException($"'{name}' must be an integer"),
    };

    public bool OptionalBool(string name) => Field(name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new ToolException($"'{name}' must be true or false"),
    };

    private JsonElement? Field(string name)
    {
        if (Json.ValueKind != JsonValueKind.Object) throw new ToolException("the input must be a JSON object");
        return Json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }
}
