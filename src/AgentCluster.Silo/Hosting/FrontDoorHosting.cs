using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

public static class FrontDoorHosting
{
    /// <summary>
    /// The front door's plumbing: snake_case JSON, ProblemDetails for every error, API keys for the public API
    /// (<see cref="ApiKeyAuthentication"/>) and the request size limits.
    /// </summary>
    public static IServiceCollection AddFrontDoor(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<FrontDoorOptions>().Bind(config.GetSection(FrontDoorOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        // Kestrel's own default (30 MB) for every other route: the public limit instead. The agent's routes raise
        // it for themselves (AgentApi), so nothing else accepts, or waits for, more than a public call may send.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<FrontDoorOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.AddApiKeyAuthentication(config);
        services.ConfigureHttpJsonOptions(o => ProtocolJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so bad bodies reach SessionProblems with their reason
        services.AddProblemDetails(o => o.CustomizeProblemDetails = SessionProblems.Describe);
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemWriter>(); // after the default: an event stream's reader gets its 401/404 too
        services.AddExceptionHandler<SessionProblems>();
        return services;
    }
}
