using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Tests.Runtimes;

/// <summary>What a runtime reported during a turn, in order: a collector for tests that run a runtime directly.</summary>
internal sealed class TestRuntimeEvents : ITurnEvents
{
    private readonly Lock gate = new();
    private readonly List<RuntimeEvent> events = [];

    public IReadOnlyList<RuntimeEvent> All { get { lock (gate) return events.ToList(); } }

    /// <summary>Everything but stderr, which a CLI may write at any moment and in any amount.</summary>
    public IReadOnlyList<RuntimeEvent> Conversation => All.Where(e => e is not OutputEvent { Stream: OutputStreams.Stderr }).ToList();

    public IReadOnlyList<string> Output(string stream) => All.OfType<OutputEvent>().Where(e => e.Stream == stream).Select(e => e.Text).ToList();

    public void Output(string stream, string text) => Add(new OutputEvent(stream, text));

    public void ToolUse(string id, string name, string input) => Add(new ToolUseEvent(id, name, input));

    public void ToolResult(string toolUseId, string content, bool isError) => Add(new ToolResultEvent(toolUseId, content, isError));

    private void Add(RuntimeEvent e)
    {
        lock (gate) events.Add(e);
    }
}

internal abstract record RuntimeEvent;

internal sealed record OutputEvent(string Stream, string Text) : RuntimeEvent;

internal sealed record ToolUseEvent(string Id, string Name, string Input) : RuntimeEvent;

internal sealed record ToolResultEvent(string ToolUseId, string Content, bool IsError) : RuntimeEvent;
