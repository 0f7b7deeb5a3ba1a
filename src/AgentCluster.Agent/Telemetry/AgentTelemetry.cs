using AgentCluster.Abstractions.Agents;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentCluster.Agent.Telemetry;

/// <summary>
/// The agent's span export: OTLP to where the standard <c>OTEL_EXPORTER_OTLP_*</c> variables say (the node passes
/// its collector on), and nothing at all when they say nowhere: no listener, so no span is even created.
/// </summary>
internal static class AgentTelemetry
{
    /// <summary>How long a stopping agent waits for its last spans to leave; Fly kills it soon after.</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    public static TracerProvider? Start(AgentConfig config)
    {
        if (!IsSet("OTEL_EXPORTER_OTLP_ENDPOINT") && !IsSet("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) return null;
        return Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddService(
                Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : AgentEnvironment.ServiceName,
                serviceInstanceId: config.MachineId))
            .AddSource(AgentTracing.SourceName)
            .AddOtlpExporter()
            .Build();
    }

    /// <summary>Sends what is still buffered, within a bound: an unreachable collector must not hold up the exit.</summary>
    public static void Stop(TracerProvider? provider)
    {
        if (provider is null) return;
        provider.Shutdown((int)FlushTimeout.TotalMilliseconds);
        provider.Dispose();
    }

    private static bool IsSet(string variable) => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));
}
