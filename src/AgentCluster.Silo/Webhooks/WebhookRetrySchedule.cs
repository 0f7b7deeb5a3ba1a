using AgentCluster.Silo.Options;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// When a failed delivery is tried again, or that it is given up: the options' delays one after another, each spread
/// by the jitter, a receiver's Retry-After honoured when it asks for longer. A plain decision: the grain keeps the
/// attempt count and the time, this says what follows.
/// </summary>
public sealed class WebhookRetrySchedule(WebhookOptions options, Func<double> random)
{
    public WebhookRetrySchedule(WebhookOptions options) : this(options, Random.Shared.NextDouble) { }

    /// <summary>How many attempts a delivery gets in all: the first and one per retry delay.</summary>
    public int MaxAttempts => options.Delays.Count + 1;

    /// <summary>
    /// The time of the next attempt after attempt number <paramref name="attempts"/> (1 = the first) failed at
    /// <paramref name="failedAt"/>; null when that was the last.
    /// </summary>
    /// <param name="retryAfter">The receiver's Retry-After (on a 429 or 503), if it gave one.</param>
    public DateTimeOffset? NextAttempt(int attempts, DateTimeOffset failedAt, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        if (attempts > options.Delays.Count) return null;
        var delay = options.Delays[attempts - 1];
        // Uniform in [1 - jitter, 1 + jitter): retries after one outage spread instead of arriving together.
        var spread = delay * (1 + options.Jitter * (2 * random() - 1));
        // A longer Retry-After is the receiver's wish; a shorter one does not hurry the schedule. Capped at the
        // delay after next, so a receiver cannot push a delivery past the retry window with one header.
        if (retryAfter is { } asked && asked > spread)
            spread = TimeSpan.FromTicks(Math.Min(asked.Ticks, (options.Delays.ElementAtOrDefault(attempts) is var next && next > delay ? next : delay).Ticks));
        return failedAt + spread;
    }
}
