using System.Text.Json;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Silo.Grains;

/// <summary>The JSON payloads of the events a session writes itself.</summary>
internal static class Payloads
{
    public static string Status(string status, string? reason) => Json(new { status, reason });

    public static string UserMessage(string content) => Json(new { content });

    public static string Error(string message) => Json(new { message });

    public static string TurnInterrupted() => Json(new { outcome = "interrupted" });

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ProtocolJson.Options);
}

/// <summary>An event the session is about to log; the log gives it its sequence number.</summary>
internal sealed record NewEvent(string Type, int Turn, string Payload, DateTimeOffset? At = null);
