using System.Text.Json.Serialization;

namespace AgentCluster.Silo.Webhooks;

/// <summary>The body of <c>POST /webhooks</c>. An unknown field is a 400, not ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateWebhookRequest
{
    /// <summary>Where deliveries are POSTed: an absolute http or https URL on an allowed address.</summary>
    public string? Url { get; init; }

    /// <summary>The event types to deliver: <c>session.terminated</c>, <c>turn.completed</c>, <c>session.warning</c>.</summary>
    public List<string>? Events { get; init; }
}

/// <summary>The body of <c>GET /webhooks</c>.</summary>
public sealed record WebhookList(IReadOnlyList<WebhookView> Webhooks);
