using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Cli.Output;

/// <summary>
/// <c>--json</c>: one JSON document for a command's answer (the API's own body, snake_case as the node writes it), or
/// JSON lines for a stream, one event a line with its session's id, so that a script can follow several at once.
/// </summary>
internal sealed class JsonOut(TextWriter stdout)
{
    public void Document<T>(T value) => stdout.WriteLine(JsonSerializer.Serialize(value, ProtocolJson.Options));

    public void Event(string sessionId, SessionEvent e) =>
        stdout.WriteLine(JsonSerializer.Serialize(new EventLine(sessionId, e.Seq, e.Type, e.Turn, e.At, e.Payload), ProtocolJson.Options));

    private sealed record EventLine(string SessionId, long Seq, string Type, int Turn, DateTimeOffset At,
        [property: JsonConverter(typeof(RawJsonConverter))] string Payload);
}
