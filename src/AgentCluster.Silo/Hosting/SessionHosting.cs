using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Secrets;
using AgentCluster.Silo.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace AgentCluster.Silo.Hosting;

/// <summary>Sessions: their options, their machines, their event log and catalog (Redis with REDIS_URL, else memory).</summary>
public static class SessionHosting
{
    public static IServiceCollection AddSessions(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<AgentSessionOptions>()
            .Configure(options =>
            {
                config.GetSection(AgentSessionOptions.Section).Bind(options);
                if (config["FLY_AGENT_IMAGE"] is { Length: > 0 } image) options.AgentImage = image;
                if (config["FLY_REGION"] is { Length: > 0 } region) options.Region = region;
                if (config[AgentSessionOptions.CallbackUrlsVariable] is { Length: > 0 } urls)
                    options.CallbackUrls = urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            })
            .ValidateRulesOnStart(o => o.Validate());
        services.AddOptions<ModelOptions>()
            .Configure(options =>
            {
                config.GetSection(ModelOptions.Section).Bind(options);
                if (config["ANTHROPIC_API_KEY"] is { Length: > 0 } key) options.ApiKey = key;
                if (config["ANTHROPIC_BASE_URL"] is { Length: > 0 } url) options.BaseUrl = url;
            })
            .ValidateRulesOnStart(o => o.Validate());
        services.AddOptions<ReaperOptions>().Bind(config.GetSection(ReaperOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(SessionClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<ReaperShards>();
        services.AddSingleton<CallbackUrls>();
        services.AddSingleton<SessionMachines>();
        services.AddSingleton<IMachines>(sp => sp.GetRequiredService<SessionMachines>());
        services.AddSingleton<Workspaces.SessionWorkspaces>();
        services.AddSessionSecrets(config);
        services.AddSingleton<Workspaces.WorkspaceVolumes>();
        services.AddSingleton<EventStream>();
        services.AddSingleton<IIncomingGrainCallFilter, GrainLogScopes>();
        services.AddMetrics();
        services.AddSingleton<Telemetry.SessionMetrics>();
        services.AddOptions<Cost.PricingOptions>().Bind(config.GetSection(Cost.PricingOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        services.AddSingleton<Cost.MachinePrices>();

        if (!RedisHosting.IsConfigured(config))
        {
            services.AddSingleton<ISessionEventLog, MemorySessionEventLog>();
            services.AddSingleton<ISessionCatalog, MemorySessionCatalog>();
            services.AddSingleton<IReaperSchedule, MemoryReaperSchedule>();
        }
        else
        {
            services.AddSingleton(sp => new RedisKeys(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
            services.AddSingleton<ISessionEventLog, RedisSessionEventLog>();
            services.AddSingleton<ISessionCatalog, RedisSessionCatalog>();
            services.AddSingleton<IReaperSchedule, RedisReaperSchedule>();
        }
        return services;
    }

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
        services.AddExceptionHandler<SessionProblems>();
        return services;
    }
}
