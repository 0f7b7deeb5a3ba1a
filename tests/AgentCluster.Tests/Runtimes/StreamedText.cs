using AgentCluster.Agent.Runtimes;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Runtimes;

/// <summary>
/// A turn whose model writes as a real one does, for either model runtime: a short text and a tool call, then an
/// answer streamed slowly in several pieces and held open after them, so that a test sees what reached the turn's
/// events while the model was still "writing", before the block was complete.
/// </summary>
internal sealed class StreamedText
{
    public const string Before = "Checking first.";
    public const string Answer = "Counting the primes below fifty: there are fifteen of them.";
    public const int AnswerDeltas = 6;

    private readonly HeldReply held = Reply.Held(Answer) with { TextDeltas = AnswerDeltas };

    public void Script(FakeAnthropic fake) => fake.Script(Reply.ToolUse("Bash", new { command = "echo checked" }, text: Before), held);

    /// <summary>Waits until the held answer reached the turn as deltas, and then lets the model finish.</summary>
    public async Task SeenWhileHeldAsync(TestRuntimeEvents events, TimeSpan deadline)
    {
        await held.Holding.WaitAsync(deadline);
        await Eventually.TrueAsync(() => Task.FromResult(string.Concat(events.Deltas).EndsWith(Answer, StringComparison.Ordinal)), deadline,
            () => $"the held text reached the turn as deltas; so far: {string.Join("|", events.Deltas)}");
        Assert.Equal([Before], events.Output(OutputStreams.Text));
        held.Release();
    }

    /// <summary>Each text block came as deltas first, which concatenate to it; the tool call's input streamed too, but it is not text.</summary>
    public static void AssertStreamed(TestRuntimeEvents events)
    {
        Assert.Collection(events.TextBlocks(),
            first => Assert.Equal((Before, Before), (first.Block, string.Concat(first.Deltas))),
            last =>
            {
                Assert.Equal(Answer, last.Block);
                Assert.Equal(AnswerDeltas, last.Deltas.Count);
                Assert.Equal(Answer, string.Concat(last.Deltas));
            });
        Assert.Equal(Before + Answer, string.Concat(events.Deltas));
    }
}
