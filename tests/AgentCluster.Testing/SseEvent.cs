using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Testing;

/// <summary>One Server-Sent Event of a session's stream as a client parses it: its id, type and data (the event as JSON).</summary>
public sealed record SseEvent(long Id, string Type, JsonObject Data)
{
    public int Turn => Data["turn"]!.GetValue<int>();
    public JsonObject Payload => Data["payload"]!.AsObject();

    /// <summary>The payload's text (of agent.output and turn events).</summary>
    public string Text() => Payload["text"]!.GetValue<string>();

    public bool IsTurnCompleted(int turn) => Type == "turn.completed" && Turn == turn;

    public string Json() => Data.ToJsonString(new JsonSerializerOptions());
}
