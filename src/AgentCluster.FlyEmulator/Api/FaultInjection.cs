using AgentCluster.FlyEmulator.Lifecycle;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>Adds latency and answers a share of requests with 5xx or 429, per the active fault rules.</summary>
internal static class FaultInjection
{
    public static IApplicationBuilder UseFaultInjection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.FlyAction() is not { } action)
        {
            await next(context);
            return;
        }
        var (status, latency) = context.RequestServices.GetRequiredService<EmulatorRuntime>().Draw(action);
        if (latency > TimeSpan.Zero)
            await Task.Delay(latency, context.RequestServices.GetRequiredService<TimeProvider>(), context.RequestAborted);
        switch (status)
        {
            case null:
                await next(context);
                break;
            case StatusCodes.Status429TooManyRequests:
                context.Response.Headers.RetryAfter = "1";
                await FlyResponses.WriteErrorAsync(context, new FlyError(429, "rate limit exceeded"));
                break;
            default:
                await FlyResponses.WriteErrorAsync(context, new FlyError(status.Value, "internal: injected fault"));
                break;
        }
    });
}
