using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AgentCluster.Fly.Api;

/// <summary>
/// Keeps this process within Fly's published Machines API limits, so it is not Fly that has to say no: per
/// action and per machine (or per app, for creating and listing machines), 1 request a second with bursts of 3;
/// Get Machine 5 a second with bursts of 10. One budget for the whole process (every client interface, every
/// handler instance); a request over it waits its turn, each attempt of a retry being a request. A 429 that
/// still comes (another process on the same app) is retried after its Retry-After by the retry strategy.
/// </summary>
internal sealed class FlyRateLimits(IOptions<FlyOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpRequestMessage> limiter = PartitionedRateLimiter.Create<HttpRequestMessage, string>(request =>
    {
        if (!options.Value.ClientRateLimits) return RateLimitPartition.GetNoLimiter("off");
        var (action, scope) = Classify(request);
        var (burst, perSecond) = action == "machine.get" ? (10, 5) : (3, 1);
        return RateLimitPartition.GetTokenBucketLimiter($"{action}:{scope}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    });

    public ValueTask<RateLimitLease> AcquireAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        limiter.AcquireAsync(request, 1, cancellationToken);

    /// <summary>
    /// The action and what it is scoped to, from the path <c>/v1/apps/{app}/{machines|volumes}/{id}/{action}</c>:
    /// creating and listing count against the app, everything else against the machine or volume.
    /// </summary>
    internal static (string Action, string Scope) Classify(HttpRequestMessage request)
    {
        var segments = (request.RequestUri?.AbsolutePath ?? "").Trim('/').Split('/');
        var method = request.Method;
        if (segments.Length < 4 || segments[1] != "apps" || segments[3] is not ("machines" or "volumes"))
            return ($"{method}:{string.Join('/', segments.Take(2))}", segments.ElementAtOrDefault(2) ?? "");
        var resource = segments[3] == "machines" ? "machine" : "volume";
        if (segments.Length == 4) return (method == HttpMethod.Post ? $"{resource}.create" : $"{resource}.list", segments[2]);
        var id = segments[4];
        if (segments.Length == 5)
            return (method == HttpMethod.Get ? $"{resource}.get" : method == HttpMethod.Delete ? $"{resource}.destroy" : $"{resource}.update", id);
        return ($"{resource}.{segments[5]}:{method}", id);
    }

    public void Dispose() => limiter.Dispose();
}

/// <summary>Waits for the process-wide <see cref="FlyRateLimits"/> budget before each attempt.</summary>
internal sealed class FlyRateLimitHandler(FlyRateLimits limits) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limits.AcquireAsync(request, cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
