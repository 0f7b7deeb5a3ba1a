using AgentCluster.Abstractions.Sessions;
using System.Text.Json;

namespace AgentCluster.Silo.Webhooks;

/// <summary>The event types a webhook can subscribe to, and which session events they are.</summary>
public static class WebhookEvents
{
    public const string SessionTerminated = "session.terminated";
    public const string TurnCompleted = EventTypes.TurnCompleted;
    public const string SessionWarning = EventTypes.SessionWarning;

    public static readonly IReadOnlyList<string> All = [SessionTerminated, TurnCompleted, SessionWarning];

    /// <summary>The session event types that may become a webhook: the session pokes its subscriptions only for these.</summary>
    public static bool MayMatter(string sessionEventType) =>
        sessionEventType is EventTypes.SessionStatus or EventTypes.TurnCompleted or EventTypes.SessionWarning;

    /// <summary>The webhook type of a session event, or null when it is none (a status other than terminated).</summary>
    public static string? TypeOf(SessionEvent e) => e.Type switch
    {
        EventTypes.TurnCompleted => TurnCompleted,
        EventTypes.SessionWarning => SessionWarning,
        EventTypes.SessionStatus when IsTerminated(e.Payload) => SessionTerminated,
        _ => null,
    };

    public static bool IsTerminated(string statusPayload)
    {
        using var json = JsonDocument.Parse(statusPayload);
        return json.RootElement.TryGetProperty("status", out var status) && status.ValueEquals("terminated");
    }
}
