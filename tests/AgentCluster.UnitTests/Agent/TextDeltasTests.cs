using AgentCluster.Agent;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

/// <summary>Model text fragments coalesced on a fake clock: fast to start, bounded in rate, whole and in order.</summary>
public sealed class TextDeltasTests : IDisposable
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly List<(TimeSpan At, string Text)> sent = [];
    private readonly DateTimeOffset start;
    private readonly TextDeltas deltas;

    public TextDeltasTests()
    {
        start = time.GetUtcNow();
        deltas = new TextDeltas(time, text => sent.Add((time.GetUtcNow() - start, text)));
    }

    public void Dispose() => deltas.Dispose();

    [Fact]
    public void The_first_fragment_goes_at_once_and_those_within_the_interval_wait_to_go_together()
    {
        deltas.Add("Hel");
        Assert.Equal([(TimeSpan.Zero, "Hel")], sent);

        time.Advance(TimeSpan.FromMilliseconds(10));
        deltas.Add("lo, ");
        time.Advance(TimeSpan.FromMilliseconds(10));
        deltas.Add("wor");
        Assert.Single(sent);

        time.Advance(TimeSpan.FromMilliseconds(29));
        Assert.Single(sent);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal((TextDeltas.Interval, "lo, wor"), sent[^1]);

        // A fragment after a quiet spell longer than the interval goes at once again.
        time.Advance(TimeSpan.FromMilliseconds(200));
        deltas.Add("ld");
        Assert.Equal((TimeSpan.FromMilliseconds(250), "ld"), sent[^1]);
        Assert.Equal("Hello, world", string.Concat(sent.Select(s => s.Text)));
    }

    [Fact]
    public void A_fragment_a_millisecond_for_a_second_goes_out_in_at_most_21_sends_an_interval_apart()
    {
        var written = new System.Text.StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            var fragment = $"t{i} ";
            written.Append(fragment);
            deltas.Add(fragment);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        time.Advance(TextDeltas.Interval);

        Assert.InRange(sent.Count, 20, 21);
        Assert.All(sent.Zip(sent.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TextDeltas.Interval, $"sent at {pair.First.At} and {pair.Second.At}"));
        Assert.Equal(written.ToString(), string.Concat(sent.Select(s => s.Text)));
    }

    [Fact]
    public void A_flush_sends_what_waits_at_once_and_the_timer_then_has_nothing_to_send()
    {
        deltas.Add("one ");
        time.Advance(TimeSpan.FromMilliseconds(5));
        deltas.Add("two");
        deltas.Flush();
        Assert.Equal([(TimeSpan.Zero, "one "), (TimeSpan.FromMilliseconds(5), "two")], sent);

        time.Advance(TimeSpan.FromSeconds(1));
        deltas.Flush();
        Assert.Equal(2, sent.Count);
    }

    [Fact]
    public void After_a_flush_the_next_fragment_still_waits_out_the_interval()
    {
        deltas.Add("a");
        deltas.Flush();
        time.Advance(TimeSpan.FromMilliseconds(20));
        deltas.Add("b");
        Assert.Single(sent);

        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.Equal((TextDeltas.Interval, "b"), sent[^1]);
    }

    [Fact]
    public void The_turns_end_sends_what_waits_and_nothing_after_it()
    {
        deltas.Add("a");
        deltas.Add("b");
        deltas.Dispose();
        deltas.Add("c");
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["a", "b"], sent.Select(s => s.Text));
    }

    [Fact]
    public void Empty_fragments_send_nothing()
    {
        deltas.Add("");
        deltas.Flush();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(sent);
    }
}
