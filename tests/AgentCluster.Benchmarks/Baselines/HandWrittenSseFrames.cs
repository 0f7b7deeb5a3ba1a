using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Benchmarks.Baselines;

/// <summary>
/// The event stream's frames as the node wrote them by hand before SseFormatter (up to 66c13c8): <c>id</c>,
/// <c>event</c> and the event's JSON in <c>data</c>, UTF-8 straight into the response pipe. Kept as the baseline
/// SseFormatter is measured against (sse-framing).
/// </summary>
public static class HandWrittenSseFrames
{
    public static void Write(PipeWriter body, Utf8JsonWriter json, SessionEvent e)
    {
        body.Write("id: "u8);
        var digits = body.GetSpan(20);
        Utf8Formatter.TryFormat(e.Seq, digits, out var written);
        body.Advance(written);
        body.Write("\nevent: "u8);
        Encoding.UTF8.GetBytes(e.Type, body);
        body.Write("\ndata: "u8);
        json.Reset(body);
        JsonSerializer.Serialize(json, e, ProtocolJson.Options);
        json.Flush();
        body.Write("\n\n"u8);
    }
}
