using System.Diagnostics;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Agent.Telemetry;

/// <summary>
/// The agent's spans (ActivitySource <c>AgentCluster.Agent</c>), each a child of the node's span it continues: the
/// start-up under the span that created the machine (<c>TRACEPARENT</c>), a turn under the request that queued it,
/// a tool call under its turn, an event push under the turn whose events it carries. Ids and names only: never a
/// prompt, a tool's input or output, or a token.
/// </summary>
internal static class AgentTracing
{
    public const string SourceName = "AgentCluster.Agent";

    public const string Start = "agent.start";
    public const string Turn = "agent.turn";
    public const string Push = "agent.push";
    public const string ToolPrefix = "agent.tool ";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>From the process's start to the runtime set up; null when nothing is exported or no TRACEPARENT was given.</summary>
    public static Activity? StartStartup(AgentConfig config, string instance)
    {
        if (!Source.HasListeners() || ParentOf(Environment.GetEnvironmentVariable(AgentEnvironment.TraceParent)) is not { } parent) return null;
        using var self = Process.GetCurrentProcess();
        return Source.StartActivity(Start, ActivityKind.Internal, parent, startTime: self.StartTime.ToUniversalTime())
            ?.SetTag("session.id", config.SessionId)
            .SetTag("machine.id", config.MachineId)
            .SetTag("runtime", config.Runtime)
            .SetTag("agent.instance", instance);
    }

    /// <summary>The turn's span; none for a turn queued untraced (a trace starts at a request, never in the agent).</summary>
    public static Activity? StartTurn(AgentTurn turn, string runtime) =>
        ParentOf(turn.TraceParent) is not { } parent ? null : Source.StartActivity(Turn, ActivityKind.Internal, parent)
            ?.SetTag("turn", turn.Turn)
            .SetTag("runtime", runtime);

    public static void Ended(Activity? span, TurnOutcome outcome)
    {
        if (span is null) return;
        span.SetTag("turn.outcome", outcome.Outcome);
        if (outcome.ExitCode is { } code) span.SetTag("process.exit.code", code);
        if (outcome.Outcome is TurnOutcomes.Error) span.SetStatus(ActivityStatusCode.Error, outcome.Outcome);
    }

    /// <summary>A push of <paramref name="events"/> events queued under <paramref name="parent"/>; none for events queued untraced.</summary>
    public static Activity? StartPush(ActivityContext parent, int events) =>
        parent == default ? null : Source.StartActivity(Push, ActivityKind.Client, parent)?.SetTag("agent.events", events);

    /// <summary>
    /// A call made under one of the agent's spans (its start-up, a push) carries that span as its W3C traceparent,
    /// so the node's spans for the call are its children.
    /// </summary>
    public static void Propagate(HttpRequestMessage message)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id }) message.Headers.TryAddWithoutValidation("traceparent", id);
    }

    private static ActivityContext? ParentOf(string? traceParent) =>
        ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var parent) ? parent : null;
}
