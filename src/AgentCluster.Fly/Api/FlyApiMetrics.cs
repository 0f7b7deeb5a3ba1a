using System.Diagnostics;
using System.Diagnostics.Metrics;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>
/// The Machines API as the node sees it: each attempt's latency and its errors, by endpoint and status, on the
/// <c>AgentCluster</c> meter. The endpoint is the Refit method's name (<c>CreateMachine</c>, <c>StopMachine</c>),
/// which Refit puts in the request's options: a few dozen values, where the URL would carry app, machine and
/// volume ids and make a series per machine.
/// </summary>
internal sealed class FlyApiMetrics
{
    // The node's meter (SessionMetrics.MeterName in AgentCluster.Silo, which this project cannot reference).
    public const string MeterName = "AgentCluster";

    private static readonly HttpRequestOptionsKey<string> MethodNameKey = new(HttpRequestMessageOptions.MethodName);
    private static readonly HttpRequestOptionsKey<RestMethodInfo> MethodKey = new(HttpRequestMessageOptions.RestMethodInfo);

    private readonly Histogram<double> duration;
    private readonly Counter<long> errors;

    public FlyApiMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        duration = meter.CreateHistogram<double>("agentcluster.fly.request.duration", "s",
            "Fly Machines API calls, each attempt of a retry apart, by endpoint, method and status (error.type on failures).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        errors = meter.CreateCounter<long>("agentcluster.fly.request.errors", "{request}",
            "Fly Machines API attempts that failed: an HTTP status of 400 or more, or no answer (error.type names the exception).");
    }

    /// <summary>
    /// Refit's method name without its Async suffix; <c>other</c> for a request Refit did not make. Refit's
    /// generated clients put the name in the options by itself; its reflection-based ones, the whole method.
    /// </summary>
    public static string EndpointOf(HttpRequestMessage request)
    {
        var name = request.Options.TryGetValue(MethodNameKey, out var named) ? named
            : request.Options.TryGetValue(MethodKey, out var method) ? method.Name
            : null;
        if (string.IsNullOrEmpty(name)) return "other";
        return name.EndsWith("Async", StringComparison.Ordinal) ? name[..^"Async".Length] : name;
    }

    public void Record(HttpRequestMessage request, TimeSpan elapsed, HttpResponseMessage? response, Exception? failure)
    {
        var tags = new TagList
        {
            { "fly.endpoint", EndpointOf(request) },
            { "http.request.method", request.Method.Method },
        };
        if (response is not null) tags.Add("http.response.status_code", (int)response.StatusCode);
        var error = failure?.GetType().Name ?? (response is { StatusCode: >= System.Net.HttpStatusCode.BadRequest } ? ((int)response.StatusCode).ToString() : null);
        if (error is not null) tags.Add("error.type", error);
        duration.Record(elapsed.TotalSeconds, tags);
        if (error is not null) errors.Add(1, tags);
    }
}

/// <summary>Times each attempt for <see cref="FlyApiMetrics"/>; innermost, so client-side rate-limit waits are not counted as Fly's latency.</summary>
internal sealed class FlyMetricsHandler(FlyApiMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.Record(request, Stopwatch.GetElapsedTime(started), response, failure: null);
            return response;
        }
        catch (Exception e)
        {
            metrics.Record(request, Stopwatch.GetElapsedTime(started), response: null, e);
            throw;
        }
    }
}
