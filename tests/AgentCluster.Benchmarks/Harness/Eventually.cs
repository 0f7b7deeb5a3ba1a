using System.Diagnostics;

namespace AgentCluster.Benchmarks.Harness;

/// <summary>
/// Waits on a condition with a deadline, for what has no event to await (a process's health endpoint, a
/// line in a machine's log): polled with a growing pause, and a <see cref="TimeoutException"/> that says what
/// was awaited when the deadline passes. The harness's one polling loop.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> what, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (!await condition())
        {
            if (clock.Elapsed > deadline) throw new TimeoutException($"not within {deadline.TotalSeconds:0.#} s: {what()}");
            await Task.Delay(pause, cancellationToken); // poll interval, bounded by the deadline above
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 50));
        }
    }
}
