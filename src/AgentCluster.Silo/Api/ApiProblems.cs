using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Api;

/// <summary>
/// The ProblemDetails answers of the public API, declared on its endpoints for the OpenAPI document in the groups
/// in which <see cref="SessionProblems"/> and ASP.NET Core actually produce them.
/// </summary>
public static class ApiProblems
{
    /// <summary>Every public route: no or a wrong API key (401); the cluster or its storage away, or the node shutting down (503).</summary>
    public static TBuilder ProducesPublicApiProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>A route naming a session: a malformed id (400), and a missing session or another key's (404).</summary>
    public static RouteHandlerBuilder ProducesSessionProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>A route with a JSON body: invalid (400), too large (413), not JSON (415).</summary>
    public static RouteHandlerBuilder ProducesBodyProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>A route that asks Fly for a machine or volume: Fly refused (502) or is unavailable (503).</summary>
    public static RouteHandlerBuilder ProducesMachineProviderProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
