using System.Diagnostics;
using OpenTelemetry.Trace;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// A trace starts only at an HTTP request the node serves; everything else is traced only under a sampled parent.
/// Without this, the cluster's own chatter would start a trace every few seconds each: membership probes, grain
/// timers and reminders (the sessions' deadlines, the reaper's sweeps and their Fly calls), and the grain calls of
/// the agents' heartbeats and long polls, whose HTTP requests are not traced (<see cref="QuietRequests"/>).
/// Of those requests, <c>ratio</c> start one (decided by trace id, so every node decides alike).
/// </summary>
public sealed class RequestRootedSampler(double ratio = 1.0) : Sampler
{
    /// <summary>The name ASP.NET Core gives a request's activity when it creates it (the route comes later).</summary>
    private const string HttpRequestIn = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private readonly Sampler inner = new ParentBasedSampler(new RequestRoots(new TraceIdRatioBasedSampler(ratio)));

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => inner.ShouldSample(samplingParameters);

    private sealed class RequestRoots(Sampler share) : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            samplingParameters is { Kind: ActivityKind.Server, Name: HttpRequestIn }
                ? share.ShouldSample(samplingParameters)
                : new SamplingResult(SamplingDecision.Drop);
    }
}
