using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// OpenTelemetry for a node: one trace per session request through ASP.NET Core, the Orleans grain calls
/// (propagated between nodes: see <see cref="ClusterHosting"/>), the node's own spans (<see cref="NodeTracing"/>),
/// the Fly Machines API calls and, by the <c>traceparent</c> each machine and each turn carries, into the agent.
/// Metrics of the node, Orleans, ASP.NET Core, HttpClient and the runtime. Exported by OTLP only when the standard
/// <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables say where; scraped at <c>/metrics</c> when <c>Telemetry:Prometheus</c>.
/// </summary>
public static class TelemetryHosting
{
    public const string ServiceName = "agentcluster-node";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var options = config.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(config.GetSection(TelemetryOptions.Section))
            .Configure(o =>
            {
                // An agent exports where the node does unless told otherwise.
                o.AgentOtlpEndpoint ??= config["OTEL_EXPORTER_OTLP_ENDPOINT"];
                o.AgentOtlpProtocol ??= config["OTEL_EXPORTER_OTLP_PROTOCOL"];
            })
            .ValidateRulesOnStart(o => o.Validate());

        var exportTraces = IsSet(config, "OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet(config, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var exportMetrics = IsSet(config, "OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet(config, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        var exportLogs = IsSet(config, "OTEL_EXPORTER_OTLP_ENDPOINT") || IsSet(config, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
        // Nothing is recorded that goes nowhere: instrumentation costs a node CPU on every request and grain call
        // (heartbeats included), so traces are made only when they are exported (by the node or by its agents,
        // whose spans need the node's as parents), and metrics only for OTLP or a Prometheus scraper.
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: InstanceId(config)));
        if (exportTraces || !string.IsNullOrEmpty(options.AgentOtlpEndpoint))
            telemetry.WithTracing(tracing =>
            {
                tracing.SetSampler(new RequestRootedSampler(options.TraceSampleRatio))
                    .AddSource(NodeTracing.SourceName)
                    .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Microsoft.Orleans.Lifecycle", "Microsoft.Orleans.Storage")
                    // No headers, no bodies: the defaults, and the Authorization header and prompts stay out.
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !QuietRequests.IsQuiet(context.Request))
                    .AddHttpClientInstrumentation();
                if (exportTraces) tracing.AddOtlpExporter();
            });
        if (exportMetrics || options.Prometheus)
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(SessionMetrics.MeterName, "Microsoft.Orleans")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (exportMetrics) metrics.AddOtlpExporter();
                if (options.Prometheus) metrics.AddPrometheusExporter();
            });
        // Log records leave with their scopes (SessionId, MachineId, …) and the trace and span they were written in.
        if (exportLogs)
            telemetry.WithLogging(logging => logging.AddOtlpExporter(), o => { o.IncludeScopes = true; o.IncludeFormattedMessage = true; });
        return builder;
    }

    /// <summary>
    /// Serves <c>/metrics</c> when <c>Telemetry:Prometheus</c> is on, for operators (<c>Auth:Operators</c>; a scraper
    /// sends its key as a bearer token): the cluster's figures are no business of the sessions' owners.
    /// </summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.Prometheus)}"))
            app.MapPrometheusScrapingEndpoint().RequireAuthorization(ApiKeyAuthentication.OperatorPolicy).ExcludeFromDescription();
        return app;
    }

    /// <summary>Which node this is: the Fly Machine it runs in, else the host.</summary>
    private static string InstanceId(IConfiguration config) =>
        config["FLY_MACHINE_ID"] is { Length: > 0 } machine ? machine : Environment.MachineName;

    private static bool IsSet(IConfiguration config, string key) => !string.IsNullOrWhiteSpace(config[key]);
}
