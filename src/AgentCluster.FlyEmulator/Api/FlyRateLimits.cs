using System.Threading.RateLimiting;
using AgentCluster.FlyEmulator.Lifecycle;
using Microsoft.AspNetCore.RateLimiting;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>
/// Fly's published limits (API-NOTES §8): per action and per machine (or app), 1 request/s with bursts of 3;
/// Get Machine 5/s with bursts of 10. Over the limit: 429 with Retry-After.
/// </summary>
internal static class FlyRateLimits
{
    public static IServiceCollection AddFlyRateLimits(this IServiceCollection services) => services.AddRateLimiter(limiter =>
    {
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            var action = context.FlyAction();
            if (action is null || !context.RequestServices.GetRequiredService<EmulatorRuntime>().RateLimits)
                return RateLimitPartition.GetNoLimiter("unlimited");
            var scope = context.GetRouteValue("machine_id") ?? context.GetRouteValue("volume_id") ?? context.GetRouteValue("app_name") ?? "";
            var (burst, perSecond) = action.IsGetMachine ? (10, 5) : (3, 1);
            var time = context.RequestServices.GetRequiredService<TimeProvider>();
            return RateLimitPartition.Get($"{action.Name}:{scope}", _ => new ContinuousTokenBucket(burst, perSecond, time));
        });
        limiter.OnRejected = async (rejected, _) =>
        {
            rejected.HttpContext.Response.Headers.RetryAfter = "1";
            await FlyResponses.WriteErrorAsync(rejected.HttpContext, new FlyError(429, "rate limit exceeded"));
        };
    });
}
