using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>A session event as an SSE frame for SseFormatter: <c>id</c> its sequence number, <c>event</c> its type, the event as JSON in <c>data</c>.</summary>
public static class SessionEventFrames
{
    public static SseItem<SessionEvent> Item(SessionEvent e) => new(e, e.Type) { EventId = e.Seq.ToString(CultureInfo.InvariantCulture) };

    /// <summary>The frame's data, serialized as UTF-8 straight into SseFormatter's buffer through one reused writer.</summary>
    public static Action<SseItem<SessionEvent>, IBufferWriter<byte>> DataWriter(Utf8JsonWriter json) => (item, data) =>
    {
        json.Reset(data);
        JsonSerializer.Serialize(json, item.Data, ProtocolJson.Options);
        json.Flush();
    };
}
