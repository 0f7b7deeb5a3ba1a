using System.Net.Http.Headers;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.ModelGateway;

/// <summary>
/// Reads a Messages API response's model and token usage as the bytes pass through the relay, without holding
/// them up: the relay writes each chunk on at once and shows it to the meter. A stream (SSE) reports its usage in
/// <c>message_start</c> (input and cache tokens, and the first output count) and <c>message_delta</c> (the
/// cumulative counts so far, output above all); the meter keeps only the line under way, and only while it may be
/// one of those two. A JSON message reports its usage at the end of its body, which the meter keeps a copy of.
/// </summary>
public abstract class UsageMeter
{
    /// <summary>The meter for a response of this type; null for a type that carries no usage.</summary>
    public static UsageMeter? For(MediaTypeHeaderValue? type) => type?.MediaType switch
    {
        "text/event-stream" => new EventStreamMeter(),
        "application/json" => new JsonMessageMeter(),
        _ => null,
    };

    public string? Model { get; protected set; }

    /// <summary>What the response used; null when it said nothing (yet).</summary>
    public TokenUsage? Usage { get; protected set; }

    public abstract void Observe(ReadOnlySpan<byte> chunk);

    /// <summary>The response has ended (or was cut): what is left is read.</summary>
    public virtual void Complete()
    {
    }

    /// <summary>A <c>usage</c> object over what was known: each count it has replaces the one before (message_delta's are cumulative).</summary>
    protected static TokenUsage Merge(TokenUsage? known, JsonElement usage)
    {
        long Count(string name, long before) =>
            usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) ? count : before;
        var was = known ?? TokenUsage.None;
        return new TokenUsage(
            Count("input_tokens", was.InputTokens),
            Count("output_tokens", was.OutputTokens),
            Count("cache_creation_input_tokens", was.CacheCreationInputTokens),
            Count("cache_read_input_tokens", was.CacheReadInputTokens));
    }

    protected static bool TryGetObject(JsonElement element, string name, out JsonElement value) =>
        element.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object;
}

/// <summary>Server-Sent Events of a streaming Messages response.</summary>
public sealed class EventStreamMeter : UsageMeter
{
    /// <summary>message_start and message_delta lines are a few hundred bytes; a longer line is content, and skipped.</summary>
    private const int MaxLine = 64 * 1024;

    private readonly List<byte> line = [];
    private bool skipping;
    private string? eventName;

    public override void Observe(ReadOnlySpan<byte> chunk)
    {
        while (chunk.Length > 0)
        {
            var end = chunk.IndexOf((byte)'\n');
            var part = end < 0 ? chunk : chunk[..end];
            if (!skipping)
            {
                if (line.Count + part.Length > MaxLine)
                {
                    skipping = true;
                    line.Clear();
                }
                else line.AddRange(part);
            }
            if (end < 0) return;
            if (!skipping) Line(line.ToArray());
            line.Clear();
            skipping = false;
            chunk = chunk[(end + 1)..];
        }
    }

    private void Line(ReadOnlySpan<byte> text)
    {
        if (text.EndsWith("\r"u8)) text = text[..^1];
        if (text.IsEmpty)
        {
            eventName = null; // an event ends at a blank line
            return;
        }
        if (text.StartsWith("event:"u8))
        {
            eventName = System.Text.Encoding.UTF8.GetString(text["event:".Length..]).Trim();
            return;
        }
        if (!text.StartsWith("data:"u8) || eventName is not ("message_start" or "message_delta")) return;
        try
        {
            using var data = JsonDocument.Parse(text["data:".Length..].ToArray());
            var root = data.RootElement;
            if (eventName == "message_start" && TryGetObject(root, "message", out var message))
            {
                if (message.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String) Model = model.GetString();
                if (TryGetObject(message, "usage", out var started)) Usage = Merge(Usage, started);
            }
            else if (TryGetObject(root, "usage", out var delta))
            {
                Usage = Merge(Usage, delta);
            }
        }
        catch (JsonException)
        {
            // Not the JSON the API sends: the client gets it as it came; the meter counts nothing from it.
        }
    }
}

/// <summary>A non-streaming Messages response: one JSON message, its usage at the end.</summary>
public sealed class JsonMessageMeter : UsageMeter
{
    /// <summary>A message is at most a model's output (128k tokens, well under this); past it the meter gives up on the body.</summary>
    private const int MaxBody = 8 * 1024 * 1024;

    private readonly MemoryStream body = new();
    private bool tooLarge;

    public override void Observe(ReadOnlySpan<byte> chunk)
    {
        if (tooLarge) return;
        if (body.Length + chunk.Length > MaxBody)
        {
            tooLarge = true;
            body.SetLength(0);
            return;
        }
        body.Write(chunk);
    }

    public override void Complete()
    {
        if (tooLarge || body.Length == 0) return;
        try
        {
            using var message = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            var root = message.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String) Model = model.GetString();
            if (TryGetObject(root, "usage", out var usage)) Usage = Merge(null, usage);
        }
        catch (JsonException)
        {
            // Cut short, or not a message: nothing to count.
        }
    }
}
