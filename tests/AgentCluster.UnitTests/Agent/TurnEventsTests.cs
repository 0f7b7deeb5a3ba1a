using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent;
using AgentCluster.Agent.Runtimes;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

/// <summary>What a turn's events become in the session's log: text fragments first, then the whole block, in order.</summary>
public sealed class TurnEventsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly FakeOrchestrator orchestrator = new();

    [Fact]
    public async Task Text_fragments_come_as_deltas_before_the_whole_block_and_the_tool_call_after_it()
    {
        var outbox = new EventOutbox(orchestrator, time, () => { });
        using (var events = new TurnEvents(outbox, 3, time))
        {
            foreach (var fragment in new[] { "I'll ", "write ", "the ", "script", "." })
            {
                events.TextDelta(fragment);
                time.Advance(TimeSpan.FromMilliseconds(30));
            }
            events.Output(OutputStreams.Text, "I'll write the script.");
            events.ToolUse("toolu_1", "Write", """{"file_path":"primes.py"}""");
            events.TextDelta("Done");
        }

        var logged = await PushedAsync(outbox);
        var outputs = logged.Where(e => e.Type == EventTypes.AgentOutput).Select(e => JsonDocument.Parse(e.Payload).RootElement).ToList();
        var block = outputs.FindIndex(p => !p.TryGetProperty("delta", out _));
        Assert.True(block >= 3, $"the whole block came after {block} deltas");
        Assert.All(outputs[..block], p => Assert.Equal((OutputStreams.Text, true), (p.GetProperty("stream").GetString(), p.GetProperty("delta").GetBoolean())));
        Assert.Equal("I'll write the script.", string.Concat(outputs[..block].Select(p => p.GetProperty("text").GetString())));
        Assert.Equal("I'll write the script.", outputs[block].GetProperty("text").GetString());
        Assert.Equal(EventTypes.AgentToolUse, logged[block + 1].Type);
        // The turn's end sends what was still waiting.
        Assert.Equal("""{"stream":"text","text":"Done","delta":true}""", logged[^1].Payload);
        Assert.All(logged, e => Assert.Equal(3, e.Turn));
    }

    private async Task<IReadOnlyList<AgentEvent>> PushedAsync(EventOutbox outbox)
    {
        using var stop = new CancellationTokenSource();
        var running = outbox.RunAsync(stop.Token);
        Assert.True(await outbox.FlushAsync(Deadline, CancellationToken.None));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        return orchestrator.Pushes.SelectMany(p => p).ToList();
    }
}
