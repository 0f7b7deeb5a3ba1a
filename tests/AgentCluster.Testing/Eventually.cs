using System.Diagnostics;

namespace AgentCluster.Testing;

/// <summary>
/// Waits on a condition with a deadline, for what has no event to await (a process's health endpoint, a line
/// in a log): polled with a growing pause, never a sleep-and-hope. When the deadline passes it throws a
/// <see cref="TimeoutException"/> that says what was awaited and, when the reason is a function, what was seen.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(100);

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string because) =>
        TrueAsync(condition, deadline, () => because);

    public static Task TrueAsync(Func<bool> condition, TimeSpan deadline, string because) =>
        TrueAsync(() => Task.FromResult(condition()), deadline, () => because);

    /// <param name="because">What was awaited and, when it failed, what was seen instead.</param>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> because, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var pause = FirstPause;
        while (!await condition())
        {
            if (clock.Elapsed > deadline) throw new TimeoutException($"Not true within {deadline.TotalSeconds:0.#} s: {because()}");
            await Task.Delay(pause, cancellationToken); // poll interval, bounded by the deadline above
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }
}
