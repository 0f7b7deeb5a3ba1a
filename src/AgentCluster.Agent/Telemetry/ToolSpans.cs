using System.Diagnostics;

namespace AgentCluster.Agent.Telemetry;

/// <summary>
/// One span per tool call of a turn, opened at its <c>tool_use</c> and closed at the matching <c>tool_result</c>
/// (an error status when the result is one); a call the turn ended without answering closes with the turn.
/// The spans never become the current activity: a runtime's calls go on under the turn, whatever tool is open.
/// </summary>
internal sealed class ToolSpans : IDisposable
{
    private readonly Dictionary<string, Activity> open = [];
    private readonly Lock gate = new();
    /// <param name="turn">The turn's span; null when it is not traced (then neither are its tools).</param>
    public ToolSpans(Activity? turn) => Turn = turn?.Context ?? default;

    /// <summary>The turn's span; default when it is not traced.</summary>
    public ActivityContext Turn { get; }

    public void Used(string id, string name)
    {
        if (Turn == default) return;
        var current = Activity.Current;
        var span = AgentTracing.Source.StartActivity(AgentTracing.ToolPrefix + name, ActivityKind.Internal, Turn)
            ?.SetTag("tool.name", name).SetTag("tool.call.id", id);
        Activity.Current = current;
        if (span is null) return;
        lock (gate)
        {
            if (open.Remove(id, out var repeated)) Stop(repeated);
            open[id] = span;
        }
    }

    public void Answered(string id, bool isError)
    {
        Activity? span;
        lock (gate) open.Remove(id, out span);
        if (span is null) return;
        if (isError) span.SetStatus(ActivityStatusCode.Error, "tool_result is_error");
        Stop(span);
    }

    public void Dispose()
    {
        List<Activity> unanswered;
        lock (gate)
        {
            unanswered = [.. open.Values];
            open.Clear();
        }
        foreach (var span in unanswered) Stop(span.SetTag("tool.unanswered", true));
    }

    /// <summary>Stopping restores the current activity to the one before the span: keep whatever is current now.</summary>
    private static void Stop(Activity span)
    {
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current;
    }
}
