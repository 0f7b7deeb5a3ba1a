namespace AgentCluster.Tests.Infrastructure;

/// <summary>A turn that prints <c>line-1</c> … <c>line-N</c> at a steady pace, and the check that a client saw each once.</summary>
public static class NumberedLines
{
    public static string Prompt(int count, double pauseSeconds = 0.05) =>
        $"for i in $(seq 1 {count}); do echo line-$i; sleep {pauseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}; done";

    /// <summary>
    /// The events, read from the start of the session, have the sequence numbers 1, 2, 3 … with no gap and no
    /// repeat, and the turn's output is every line exactly once, in order.
    /// </summary>
    public static void AssertSeenExactlyOnce(IReadOnlyList<SseEvent> events, int turn, int count)
    {
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        var lines = events.Where(e => e.Type == "agent.output" && e.Turn == turn).Select(e => e.Text()).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"line-{i}"), lines);
    }
}
