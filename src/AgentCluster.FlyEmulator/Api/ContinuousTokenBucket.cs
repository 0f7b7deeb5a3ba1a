using System.Threading.RateLimiting;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>
/// A token bucket that refills continuously, at exactly its rate: a client pacing itself at the published limit is
/// never refused. .NET's <see cref="TokenBucketRateLimiter"/> refills in whole periods on a timer, each a little
/// late, so it grants less than its rate (about 1 in 1.05 s for 1/s), and would refuse a client that is within Fly's.
/// No queue: over the limit is a 429 at once, as Fly answers.
/// </summary>
internal sealed class ContinuousTokenBucket(int burst, double perSecond, TimeProvider time) : RateLimiter
{
    private readonly Lock sync = new();
    private double tokens = burst;
    private long at = time.GetTimestamp();
    private long idleSince = time.GetTimestamp();

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (sync) return tokens + Refilled() >= burst ? time.GetElapsedTime(idleSince) : null;
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (sync) return new RateLimiterStatistics { CurrentAvailablePermits = (long)Math.Min(burst, tokens + Refilled()) };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (sync)
        {
            tokens = Math.Min(burst, tokens + Refilled());
            at = time.GetTimestamp();
            if (tokens < permitCount) return Lease.Refused;
            tokens -= permitCount;
            idleSince = at;
            return Lease.Granted;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private double Refilled() => time.GetElapsedTime(at).TotalSeconds * perSecond;

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
