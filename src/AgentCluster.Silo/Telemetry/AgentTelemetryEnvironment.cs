using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// The tracing part of a machine's environment: where its agent exports (the standard <c>OTEL_*</c> variables,
/// never <c>OTEL_EXPORTER_OTLP_HEADERS</c>, which may hold a collector's key) and the <c>traceparent</c> its
/// start-up span joins: the span creating the machine.
/// </summary>
public static class AgentTelemetryEnvironment
{
    public static void AddTo(IDictionary<string, string> env, TelemetryOptions? options)
    {
        if (NodeTracing.TraceParentOf(System.Diagnostics.Activity.Current) is { } traceParent) env[AgentEnvironment.TraceParent] = traceParent;
        // The operator's collector wins over whatever the session's own env said.
        if (options?.AgentOtlpEndpoint is not { Length: > 0 } endpoint) return;
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        if (options.AgentOtlpProtocol is { Length: > 0 } protocol) env["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol;
        env["OTEL_SERVICE_NAME"] = AgentEnvironment.ServiceName;
    }
}
