using AgentCluster.Silo.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Health;

/// <summary>
/// <c>/health</c>: the process serves (no dependency is asked, so a Redis or Fly outage never makes an orchestrator
/// restart a node that would be fine once they are back). <c>/health/ready</c>: the node can do its work, by ASP.NET
/// Core's health checks tagged <see cref="ReadyTag"/>: this silo is active in the cluster, Redis answers (with
/// REDIS_URL) and the Machines API answers. Neither needs an API key; neither says anything secret.
/// </summary>
public static class HealthHosting
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddNodeHealth(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ReadinessOptions>().Bind(config.GetSection(ReadinessOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        var timeout = config.GetSection(ReadinessOptions.Section).Get<ReadinessOptions>()?.CheckTimeout ?? new ReadinessOptions().CheckTimeout;
        services.AddSingleton<MachinesApiCheck>();
        var checks = services.AddHealthChecks()
            .AddCheck<SiloActiveCheck>(SiloActiveCheck.Name, tags: [ReadyTag], timeout: timeout)
            // The Machines API check keeps to the same deadline itself (its answer is shared); this one only backs it up.
            .AddCheck<MachinesApiCheck>(MachinesApiCheck.Name, tags: [ReadyTag], timeout: timeout * 2);
        if (RedisHosting.IsConfigured(config)) checks.AddCheck<RedisCheck>(RedisCheck.Name, tags: [ReadyTag], timeout: timeout);
        return services;
    }

    public static IEndpointRouteBuilder MapNodeHealth(this IEndpointRouteBuilder routes, bool embeddedFly)
    {
        var health = routes.MapGroup("/health").WithTags("Health").AllowAnonymous();

        health.MapGet("", () => TypedResults.Ok(new LivenessReport("ok", embeddedFly ? "embedded-emulator" : "fly")))
            .WithName("GetHealth")
            .WithSummary("Liveness: the node's process serves requests")
            .WithDescription("Asks no dependency; answers while the node shuts down too (then /health/ready is 503).")
            .Produces<LivenessReport>(StatusCodes.Status200OK);

        health.MapGet("/ready", async (HealthCheckService checks, CancellationToken cancellationToken) =>
            {
                var report = await checks.CheckHealthAsync(r => r.Tags.Contains(ReadyTag), cancellationToken);
                var view = new ReadinessReport(Name(report.Status),
                    report.Entries.Select(e => new ReadinessCheck(e.Key, Name(e.Value.Status), Reason(e.Value), Math.Round(e.Value.Duration.TotalMilliseconds, 1))).ToList());
                // Degraded still serves (some sessions cannot run as asked; the others can): no reason to take the node out.
                return Results.Json(view, statusCode: report.Status == HealthStatus.Unhealthy
                    ? StatusCodes.Status503ServiceUnavailable
                    : StatusCodes.Status200OK);
            })
            .WithName("GetReadiness")
            .WithSummary("Readiness: the silo is active, Redis and the Machines API answer")
            .WithDescription("200 when no check is unhealthy (a degraded one is named with its reason), else 503 naming each check with its status and reason. " +
                "The Machines API's answer is kept for a few seconds (Health:MachinesApiCacheFor).")
            .Produces<ReadinessReport>(StatusCodes.Status200OK)
            .Produces<ReadinessReport>(StatusCodes.Status503ServiceUnavailable);

        return routes;
    }

    /// <summary>
    /// The check's own reason. An exception that escaped a check (the health service then reports its message) is
    /// named by its type only: its message may carry an address or worse, and this endpoint answers anyone.
    /// </summary>
    private static string? Reason(HealthReportEntry entry) =>
        entry.Exception is { } e && entry.Description == e.Message ? $"the check failed ({e.GetType().Name})" : entry.Description;

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
