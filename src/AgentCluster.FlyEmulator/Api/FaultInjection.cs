using AgentCluster.FlyEmulator.Lifecycle;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>
/// Adds latency, answers a share of requests with 5xx or 429 (with the rule's Retry-After), or holds a handled
/// request's answer back, per the active fault rules; and records every Machines API request in the journal.
/// </summary>
internal static class FaultInjection
{
    public static IApplicationBuilder UseFaultInjection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.FlyAction() is not { } action)
        {
            await next(context);
            return;
        }
        var runtime = context.RequestServices.GetRequiredService<EmulatorRuntime>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var arrived = time.GetUtcNow();
        var fault = runtime.Draw(action);
        try
        {
            if (fault.Latency > TimeSpan.Zero) await Task.Delay(fault.Latency, time, context.RequestAborted);
            switch (fault.Status)
            {
                case null when fault.ResponseDelay > TimeSpan.Zero:
                    await HoldAnswerAsync(context, next, fault.ResponseDelay, time);
                    break;
                case null:
                    await next(context);
                    break;
                case StatusCodes.Status429TooManyRequests:
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(fault.RetryAfter.TotalSeconds)).ToString();
                    await FlyResponses.WriteErrorAsync(context, new FlyError(429, "rate limit exceeded"));
                    break;
                default:
                    await FlyResponses.WriteErrorAsync(context, new FlyError(fault.Status.Value, "internal: injected fault"));
                    break;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up waiting (its timeout); what was carried out stays done.
        }
        finally
        {
            var scope = context.GetRouteValue("machine_id") ?? context.GetRouteValue("volume_id") ?? context.GetRouteValue("app_name") ?? "";
            runtime.Record(new JournalEntry(arrived, action.Name, scope.ToString()!, context.Response.StatusCode));
        }
    });

    /// <summary>Carries the request out, then keeps its answer for <paramref name="delay"/>: done, but not yet said.</summary>
    private static async Task HoldAnswerAsync(HttpContext context, RequestDelegate next, TimeSpan delay, TimeProvider time)
    {
        var body = context.Response.Body;
        using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
        await Task.Delay(delay, time, context.RequestAborted);
        held.Position = 0;
        await held.CopyToAsync(body, context.RequestAborted);
    }
}
