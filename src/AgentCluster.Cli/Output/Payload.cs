using System.Text.Json;

namespace AgentCluster.Cli.Output;

/// <summary>An event's payload, read by field name: a missing or mistyped field reads as null (a newer node may add or change fields).</summary>
internal readonly struct Payload(JsonElement root)
{
    public static Payload Parse(string json) => new(JsonDocument.Parse(json).RootElement.Clone());

    public string? String(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public long? Number(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    public decimal? Decimal(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;

    public bool Flag(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public Payload Object(string name) => new(root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) ? v : default);

    /// <summary>The field's JSON text as it was sent (for a tool's input); null when absent.</summary>
    public string? Raw(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) ? v.GetRawText() : null;
}
