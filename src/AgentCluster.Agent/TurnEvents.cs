using System.Diagnostics;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>
/// A runtime's events for one turn, queued in the outbox under that turn's number. Every runtime reports its tool
/// calls here, so here is where a tool call's span opens and closes (<paramref name="tools"/>).
/// </summary>
internal sealed class TurnEvents(EventOutbox outbox, int turn, ToolSpans? tools = null) : ITurnEvents
{
    private ActivityContext Trace => tools?.Turn ?? default;

    public void Output(string stream, string text)
    {
        outbox.Enqueue(EventTypes.AgentOutput, turn, EventPayloads.Output(stream, text), Trace);
        StartupTimeline.Mark(StartupTimeline.FirstOutput);
    }

    public void ToolUse(string id, string name, string input)
    {
        tools?.Used(id, name);
        outbox.Enqueue(EventTypes.AgentToolUse, turn, EventPayloads.ToolUse(id, name, input), Trace);
    }

    public void ToolResult(string toolUseId, string content, bool isError)
    {
        tools?.Answered(toolUseId, isError);
        outbox.Enqueue(EventTypes.AgentToolResult, turn, EventPayloads.ToolResult(toolUseId, content, isError), Trace);
    }
}
