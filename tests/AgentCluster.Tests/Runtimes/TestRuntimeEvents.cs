using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Tests.Runtimes;

/// <summary>What a runtime reported during a turn, in order: a collector for tests that run a runtime directly.</summary>
internal sealed class TestRuntimeEvents : ITurnEvents
{
    private readonly Lock gate = new();
    private readonly List<RuntimeEvent> events = [];

    public IReadOnlyList<RuntimeEvent> All { get { lock (gate) return events.ToList(); } }

    /// <summary>
    /// Everything but stderr, which a CLI may write at any moment and in any amount, and text deltas, whose
    /// text the whole block repeats.
    /// </summary>
    public IReadOnlyList<RuntimeEvent> Conversation => All.Where(e => e is not (OutputEvent { Stream: OutputStreams.Stderr } or TextDeltaEvent)).ToList();

    /// <summary>The text fragments reported so far, in order.</summary>
    public IReadOnlyList<string> Deltas => All.OfType<TextDeltaEvent>().Select(e => e.Text).ToList();

    /// <summary>Each whole text block, with the fragments reported since the event before it (those that streamed it).</summary>
    public IReadOnlyList<(string Block, IReadOnlyList<string> Deltas)> TextBlocks()
    {
        var blocks = new List<(string, IReadOnlyList<string>)>();
        var fragments = new List<string>();
        foreach (var e in All.Where(e => e is not OutputEvent { Stream: OutputStreams.Stderr }))
        {
            if (e is TextDeltaEvent delta)
            {
                fragments.Add(delta.Text);
                continue;
            }
            if (e is OutputEvent { Stream: OutputStreams.Text } block) blocks.Add((block.Text, fragments.ToList()));
            fragments.Clear();
        }
        return blocks;
    }

    public IReadOnlyList<string> Output(string stream) => All.OfType<OutputEvent>().Where(e => e.Stream == stream).Select(e => e.Text).ToList();

    public void Output(string stream, string text) => Add(new OutputEvent(stream, text));

    public void TextDelta(string text) => Add(new TextDeltaEvent(text));

    public void ToolUse(string id, string name, string input) => Add(new ToolUseEvent(id, name, input));

    public void ToolResult(string toolUseId, string content, bool isError) => Add(new ToolResultEvent(toolUseId, content, isError));

    private void Add(RuntimeEvent e)
    {
        lock (gate) events.Add(e);
    }
}

internal abstract record RuntimeEvent;

internal sealed record OutputEvent(string Stream, string Text) : RuntimeEvent;

internal sealed record TextDeltaEvent(string Text) : RuntimeEvent;

internal sealed record ToolUseEvent(string Id, string Name, string Input) : RuntimeEvent;

internal sealed record ToolResultEvent(string ToolUseId, string Content, bool IsError) : RuntimeEvent;
