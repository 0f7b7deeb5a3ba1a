using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// An agent.output payload that carries its own number and the moment it was pushed: <c>#n@timestamp|xxx…</c>.
/// The pusher and the readers are one process, so <see cref="Stopwatch.GetTimestamp"/> at the push and at the
/// receipt is one clock, and a reader sees from the text alone whether it got every event, in order.
/// </summary>
public static class StampedOutput
{
    private static ReadOnlySpan<byte> TextStart => "\"text\":\"#"u8;

    /// <summary>The payload of output number <paramref name="number"/>, padded to about <paramref name="size"/> bytes of JSON.</summary>
    public static string Payload(long number, long timestamp, int size)
    {
        var text = new StringBuilder(size).Append('#').Append(number).Append('@').Append(timestamp).Append('|');
        const int envelope = 30; // {"stream":"stdout","text":""}
        text.Append('x', Math.Max(0, size - envelope - text.Length));
        return $$"""{"stream":"stdout","text":"{{text}}"}""";
    }

    /// <summary>Reads the number and push timestamp back out of an SSE data line holding the event's JSON.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out long number, out long timestamp)
    {
        number = timestamp = 0;
        var start = data.IndexOf(TextStart);
        if (start < 0) return false;
        var rest = data[(start + TextStart.Length)..];
        if (!Utf8Parser.TryParse(rest, out number, out var length) || length >= rest.Length || rest[length] != '@') return false;
        rest = rest[(length + 1)..];
        return Utf8Parser.TryParse(rest, out timestamp, out length) && length < rest.Length && rest[length] == '|';
    }
}
