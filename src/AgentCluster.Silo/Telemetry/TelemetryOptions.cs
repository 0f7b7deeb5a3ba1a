using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// What the node exports beyond the standard <c>OTEL_*</c> variables (section <c>Telemetry</c>). The node's
/// own OTLP export is the standard one: on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a per-signal endpoint) is set.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Serve <c>/metrics</c> for a Prometheus scraper (for operators' keys when keys are configured).</summary>
    public bool Prometheus { get; set; }

    /// <summary>
    /// Where agents export their spans (OTLP); given to each machine as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
    /// Default: the node's own <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; neither set: agents export nothing.
    /// Agents get no <c>OTEL_EXPORTER_OTLP_HEADERS</c> (it may hold a collector's key, and a machine's environment
    /// is readable by what runs in it): point this at a collector on the private network that needs no key.
    /// </summary>
    public string? AgentOtlpEndpoint { get; set; }

    /// <summary>The agents' <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>; default the node's own (the exporter's default is grpc).</summary>
    public string? AgentOtlpProtocol { get; set; }

    /// <summary>
    /// The share of requests that start a trace (0 to 1; default all). Decided once per trace at its request, so a
    /// sampled session's trace is whole, grain calls, Fly calls and agent included.
    /// </summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    public IEnumerable<string> Validate()
    {
        if (TraceSampleRatio is < 0 or > 1 || double.IsNaN(TraceSampleRatio))
            yield return $"Telemetry:TraceSampleRatio must be between 0 and 1, not {TraceSampleRatio}.";
        if (AgentOtlpEndpoint is { Length: > 0 } endpoint
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
            yield return $"Telemetry:AgentOtlpEndpoint must be an absolute http(s) URL (an OTLP collector), not '{endpoint}'.";
        if (AgentOtlpProtocol is { Length: > 0 } protocol && protocol is not ("grpc" or "http/protobuf"))
            yield return $"Telemetry:AgentOtlpProtocol must be grpc or http/protobuf, not '{protocol}'.";
    }
}
