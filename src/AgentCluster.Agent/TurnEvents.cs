using System.Diagnostics;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>
/// A runtime's events for one turn, queued in the outbox under that turn's number. Every runtime reports its tool
/// calls here, so here is where a tool call's span opens and closes (<c>tools</c>). Model text fragments are
/// coalesced (<see cref="TextDeltas"/>) and sent before any other event, so that the log holds everything in
/// the order the model wrote it; disposing at the turn's end sends the last of them.
/// </summary>
internal sealed class TurnEvents : ITurnEvents, IDisposable
{
    private readonly EventOutbox outbox;
    private readonly int turn;
    private readonly ToolSpans? tools;
    private readonly TextDeltas deltas;

    public TurnEvents(EventOutbox outbox, int turn, TimeProvider time, ToolSpans? tools = null)
    {
        this.outbox = outbox;
        this.turn = turn;
        this.tools = tools;
        deltas = new TextDeltas(time, text => Enqueue(EventPayloads.Output(OutputStreams.Text, text, delta: true)));
    }

    private ActivityContext Trace => tools?.Turn ?? default;

    public void Output(string stream, string text)
    {
        deltas.Flush();
        Enqueue(EventPayloads.Output(stream, text));
    }

    public void TextDelta(string text) => deltas.Add(text);

    public void ToolUse(string id, string name, string input)
    {
        deltas.Flush();
        tools?.Used(id, name);
        outbox.Enqueue(EventTypes.AgentToolUse, turn, EventPayloads.ToolUse(id, name, input), Trace);
    }

    public void ToolResult(string toolUseId, string content, bool isError)
    {
        deltas.Flush();
        tools?.Answered(toolUseId, isError);
        outbox.Enqueue(EventTypes.AgentToolResult, turn, EventPayloads.ToolResult(toolUseId, content, isError), Trace);
    }

    public void Dispose() => deltas.Dispose();

    private void Enqueue(string output)
    {
        outbox.Enqueue(EventTypes.AgentOutput, turn, output, Trace);
        StartupTimeline.Mark(StartupTimeline.FirstOutput);
    }
}
