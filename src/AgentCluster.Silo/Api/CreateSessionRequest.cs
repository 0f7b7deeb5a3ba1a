using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Api;

/// <summary>The body of <c>POST /sessions</c>. A field it does not know (a typo: <c>promt</c>) is a 400, not ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateSessionRequest
{
    public string? Prompt { get; init; }

    /// <summary>The caller's own id makes the create idempotent: the same id again returns the same session.</summary>
    public string? SessionId { get; init; }

    public string? Runtime { get; init; }
    public string? Region { get; init; }
    public GuestSpec? Guest { get; init; }

    /// <summary>Handed to the machine only (API keys go here); never stored, logged or echoed.</summary>
    public Dictionary<string, string>? Env { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>The body of <c>POST /sessions/{id}/messages</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SendMessageRequest(string? Content);

public sealed record SendMessageResponse(string SessionId, int Turn);

/// <summary>The answer to <c>POST /sessions/{id}/interrupt</c>: the turn that is being stopped.</summary>
public sealed record InterruptResponse(string SessionId, int Turn);

public sealed record SessionList(IReadOnlyList<SessionView> Sessions, string? NextCursor);
