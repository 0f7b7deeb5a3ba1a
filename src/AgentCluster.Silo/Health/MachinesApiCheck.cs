using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using Refit;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Health;

/// <summary>
/// The Machines API answers an authenticated call (the agents' app, read through the node's own client, so the
/// token and URL are the ones sessions use). One answer serves every caller for
/// <see cref="ReadinessOptions.MachinesApiCacheFor"/>: Fly checks each node every 15 s and the API's rate limits
/// are shared. The call has its own deadline, not the caller's, since its answer is shared; callers wait for it
/// as long as their own check may take.
/// </summary>
public sealed class MachinesApiCheck(IFlyAppsApi apps, IOptions<FlyOptions> fly, IOptions<ReadinessOptions> options, TimeProvider time) : IHealthCheck
{
    public const string Name = "machines_api";

    private readonly Lock gate = new();
    private Task<HealthCheckResult>? answer;
    private DateTimeOffset expires;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            // A call under way is shared too: many checks at once make one call.
            if (answer is null || (answer.IsCompleted && time.GetUtcNow() >= expires))
            {
                expires = DateTimeOffset.MaxValue; // until the call has answered
                answer = ProbeAndKeepAsync();
            }
            return answer.WaitAsync(cancellationToken);
        }
    }

    private async Task<HealthCheckResult> ProbeAndKeepAsync()
    {
        var result = await ProbeAsync();
        lock (gate) expires = time.GetUtcNow() + options.Value.MachinesApiCacheFor;
        return result;
    }

    private async Task<HealthCheckResult> ProbeAsync()
    {
        var timeout = options.Value.CheckTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        var app = fly.Value.AppName;
        try
        {
            await apps.GetAppAsync(app!, deadline.Token);
            return HealthCheckResult.Healthy($"the app {app} answered");
        }
        catch (FlyApiException e)
        {
            return HealthCheckResult.Unhealthy(e.Kind == FlyErrorKind.NotFound
                ? $"the Machines API has no app {app}"
                : $"the Machines API answered {(int)e.StatusCode} ({e.Kind})");
        }
        // Refit wraps what fails before an answer (refused, reset, cancelled) in an ApiRequestException.
        catch (Exception e) when (e is ApiRequestException or HttpRequestException or OperationCanceledException or TimeoutRejectedException)
        {
            return HealthCheckResult.Unhealthy(Cause<HttpRequestException>(e) is { } http
                ? $"the Machines API is unreachable ({http.HttpRequestError})"
                : $"the Machines API did not answer within {timeout.TotalSeconds:0.#} s");
        }
    }

    private static T? Cause<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
