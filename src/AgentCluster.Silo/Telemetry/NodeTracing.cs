using System.Diagnostics;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// The node's own spans (ActivitySource <c>AgentCluster</c>), between the HTTP and grain-call spans of ASP.NET Core
/// and Orleans and the HTTP client spans of the Fly calls. Ids are span attributes (never metric tags); a
/// prompt, a token, an env value never is.
/// </summary>
public static class NodeTracing
{
    public const string SourceName = "AgentCluster";

    public const string SessionStart = "session.start";
    public const string MachineCreate = "machine.create";
    public const string TurnEnqueue = "turn.enqueue";

    public const string SessionIdTag = "session.id";
    public const string MachineIdTag = "machine.id";
    public const string TurnTag = "turn";
    public const string RuntimeTag = "runtime";
    public const string RegionTag = "region";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span of this session's; null when nobody listens (or the trace is not sampled).</summary>
    public static Activity? StartSessionSpan(string name, string sessionId) =>
        Source.StartActivity(name)?.SetTag(SessionIdTag, sessionId);

    /// <summary>
    /// Marks turn <paramref name="turn"/> queued and returns the <c>traceparent</c> to keep with it: the agent's span
    /// for the turn becomes a child of this one, in the trace of the request that queued it. Null when nothing is traced.
    /// </summary>
    public static string? EnqueueTurn(string sessionId, int turn)
    {
        using var span = StartSessionSpan(TurnEnqueue, sessionId)?.SetTag(TurnTag, turn);
        return TraceParentOf(span ?? Activity.Current);
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="span"/> (by default the current one), if it has one.</summary>
    public static string? TraceParentOf(Activity? span) => span is { IdFormat: ActivityIdFormat.W3C } ? span.Id : null;
}
