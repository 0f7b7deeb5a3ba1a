using System.Diagnostics;
using AgentCluster.Silo.Telemetry;
using OpenTelemetry.Trace;

namespace AgentCluster.UnitTests.Telemetry;

/// <summary>A trace starts at an HTTP request only, for the configured share of them; below a sampled parent, always.</summary>
public sealed class RequestRootedSamplerTests
{
    private const string HttpRequestIn = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    [Fact]
    public void Requests_start_traces_and_nothing_else_does()
    {
        var sampler = new RequestRootedSampler();
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler, ActivityKind.Server, HttpRequestIn, ActivityTraceId.CreateRandom()));
        Assert.Equal(SamplingDecision.Drop, Root(sampler, ActivityKind.Internal, "reaper sweep", ActivityTraceId.CreateRandom()));
        Assert.Equal(SamplingDecision.Drop, Root(sampler, ActivityKind.Client, "POST", ActivityTraceId.CreateRandom()));
    }

    [Fact]
    public void A_ratio_samples_that_share_of_requests_and_children_follow_their_parent()
    {
        var sampler = new RequestRootedSampler(0.25);
        var sampled = Enumerable.Range(0, 4000).Count(_ =>
            Root(sampler, ActivityKind.Server, HttpRequestIn, ActivityTraceId.CreateRandom()) == SamplingDecision.RecordAndSample);
        Assert.InRange(sampled, 800, 1200);

        var none = new RequestRootedSampler(0);
        Assert.Equal(SamplingDecision.Drop, Root(none, ActivityKind.Server, HttpRequestIn, ActivityTraceId.CreateRandom()));
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Assert.Equal(SamplingDecision.RecordAndSample,
            none.ShouldSample(new SamplingParameters(parent, parent.TraceId, "machine.create", ActivityKind.Internal)).Decision);
    }

    private static SamplingDecision Root(Sampler sampler, ActivityKind kind, string name, ActivityTraceId traceId) =>
        sampler.ShouldSample(new SamplingParameters(default, traceId, name, kind)).Decision;
}
