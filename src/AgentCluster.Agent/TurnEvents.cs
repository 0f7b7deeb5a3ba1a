using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Agent;

/// <summary>A runtime's events for one turn, queued in the outbox under that turn's number.</summary>
internal sealed class TurnEvents(EventOutbox outbox, int turn) : ITurnEvents
{
    public void Output(string stream, string text)
    {
        outbox.Enqueue(EventTypes.AgentOutput, turn, EventPayloads.Output(stream, text));
        StartupTimeline.Mark(StartupTimeline.FirstOutput);
    }

    public void ToolUse(string id, string name, string input) =>
        outbox.Enqueue(EventTypes.AgentToolUse, turn, EventPayloads.ToolUse(id, name, input));

    public void ToolResult(string toolUseId, string content, bool isError) =>
        outbox.Enqueue(EventTypes.AgentToolResult, turn, EventPayloads.ToolResult(toolUseId, content, isError));
}
