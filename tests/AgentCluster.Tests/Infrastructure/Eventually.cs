namespace AgentCluster.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline: the test fails with the reason, never sleeps and hopes.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string because) =>
        TrueAsync(condition, deadline, () => because);

    /// <param name="because">What was awaited and, when it failed, what was seen instead.</param>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> because)
    {
        var until = DateTime.UtcNow + deadline;
        var pause = TimeSpan.FromMilliseconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"Not true within {deadline.TotalSeconds:0.#} s: {because()}");
            await Task.Delay(pause); // poll interval, bounded by the deadline above
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 200));
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan deadline, string because) =>
        TrueAsync(() => Task.FromResult(condition()), deadline, because);
}
