using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Logging;

/// <summary>
/// A request about one session (a client's or its agent's) logs under the session's id, its route value
/// <c>id</c>, for the whole request, an event stream included, so the front door's lines join the grain's.
/// Endpoints opt in with <see cref="WithSessionLogScope"/>.
/// </summary>
public static class SessionRequestScopes
{
    private sealed class Marker;

    public static TBuilder WithSessionLogScope<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Marker());

    public static IApplicationBuilder UseSessionLogScopes(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SessionRequestScopes));
        return app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is null || context.GetRouteValue("id") is not string id)
            {
                await next(context);
                return;
            }
            using (logger.BeginScope(LogScope.ForSession(id))) await next(context);
        });
    }
}
