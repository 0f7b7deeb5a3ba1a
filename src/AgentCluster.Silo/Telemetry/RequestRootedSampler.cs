using System.Diagnostics;
using OpenTelemetry.Trace;

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// A trace starts only at a request the node serves (a server span with no parent, i.e. an incoming HTTP request
/// or a call from an untraced caller); everything else is traced only under a sampled parent. Without this, the
/// cluster's own chatter (membership probes, directory calls, reminder ticks, the reaper's sweeps and their Fly
/// calls) would start a trace every few seconds each.
/// </summary>
public sealed class RequestRootedSampler : Sampler
{
    private static readonly Sampler Roots = new RequestRoots();

    private readonly Sampler inner = new ParentBasedSampler(Roots);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => inner.ShouldSample(samplingParameters);

    private sealed class RequestRoots : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Kind == ActivityKind.Server ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }
}
