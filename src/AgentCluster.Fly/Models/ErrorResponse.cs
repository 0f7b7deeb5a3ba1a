using System.Text.Json;

namespace AgentCluster.Fly.Models;

/// <summary>
/// Spec <c>ErrorResponse</c> (<c>{"error","status"}</c>) merged with the lease family's
/// <c>{"status":"error","message"}</c>; the client prefers <c>message</c>, as fly-go does.
/// </summary>
public sealed record ErrorResponse
{
    public string? Error { get; init; }
    public string? Message { get; init; }

    /// <summary>"unknown", "insufficient_capacity", "name_taken", or "error" on lease envelopes.</summary>
    public string? Status { get; init; }

    public JsonElement? Details { get; init; }
}
