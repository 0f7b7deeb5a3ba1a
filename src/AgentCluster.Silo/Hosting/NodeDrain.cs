using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Hosting;

/// <summary>
/// A node's graceful exit (SIGTERM or SIGINT). The host stops the web server before Orleans, and the moment it
/// begins to stop the node lets go of everything long-lived: new requests, <c>/health</c> included, get 503
/// with <c>Connection: close</c> (clients and agents go to another node); event streams end (clients resume
/// elsewhere with Last-Event-ID); agents' long polls answer 503 (the agent asks another node). So nothing holds
/// up Kestrel's drain of the short requests under way; then Orleans leaves the cluster and deactivates this
/// node's grains, whose state is stored: the next call activates each on another node. All of it within
/// <see cref="HostOptions.ShutdownTimeout"/> (<c>ShutdownTimeout</c>, default 30 s).
/// </summary>
public sealed class NodeDrain(IHostApplicationLifetime lifetime)
{
    public const string ShutdownTimeoutKey = "ShutdownTimeout";
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Cancelled once the node has begun to shut down.</summary>
    public CancellationToken Draining => lifetime.ApplicationStopping;

    public bool IsDraining => Draining.IsCancellationRequested;

    /// <summary>For a request held open (a stream, a long poll): cancelled when its client leaves or the node begins to drain.</summary>
    public CancellationTokenSource Hold(HttpContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Draining);
}

/// <summary>Refuses a request because this node is shutting down: the same request succeeds through another node.</summary>
public sealed class NodeDrainingException() : Exception("This node is shutting down; send the request to another node.");

public static partial class NodeDrainHosting
{
    /// <summary>The node's shutdown timeout (<c>ShutdownTimeout</c>) and its drain.</summary>
    public static WebApplicationBuilder AddNodeDrain(this WebApplicationBuilder builder)
    {
        var timeout = builder.Configuration.GetValue(NodeDrain.ShutdownTimeoutKey, NodeDrain.DefaultShutdownTimeout);
        if (timeout <= TimeSpan.Zero) throw new InvalidOperationException($"{NodeDrain.ShutdownTimeoutKey} must be positive, not '{timeout}'.");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        builder.Services.AddSingleton<NodeDrain>();
        return builder;
    }

    /// <summary>
    /// Refuses every request that arrives once the node has begun to shut down (503, <c>Connection: close</c>),
    /// but for <c>/health</c>: that still reports, and <c>/health/ready</c> says the node is shutting down.
    /// </summary>
    public static IApplicationBuilder UseNodeDrain(this IApplicationBuilder app)
    {
        var drain = app.ApplicationServices.GetRequiredService<NodeDrain>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<NodeDrain>();
        drain.Draining.Register(() => LogDraining(logger));
        return app.Use(async (context, next) =>
        {
            if (drain.IsDraining && !context.Request.Path.StartsWithSegments("/health"))
            {
                context.Response.Headers.Connection = "close";
                throw new NodeDrainingException();
            }
            await next(context);
        });
    }

    [LoggerMessage(6000, LogLevel.Information, "Shutting down: refusing new requests, ending event streams and agent polls")]
    private static partial void LogDraining(ILogger logger);
}
