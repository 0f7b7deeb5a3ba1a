using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Storage;
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
                if (config["AGENTCLUSTER_CALLBACK_URLS"] is { Length: > 0 } urls)
                    options.CallbackUrls = urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentSessionOptions>, OptionsValidator<AgentSessionOptions>>(_ => new(o => o.Validate()));
        services.AddOptions<ReaperOptions>().Bind(config.GetSection(ReaperOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReaperOptions>, OptionsValidator<ReaperOptions>>(_ => new(o => o.Validate()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(SessionClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<ReaperShards>();
        services.AddSingleton<CallbackUrls>();
        services.AddSingleton<SessionMachines>();
        services.AddSingleton<EventStream>();

        if (string.IsNullOrEmpty(config["REDIS_URL"]))
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

    /// <summary>The front door's plumbing: snake_case JSON, ProblemDetails for every error.</summary>
    public static IServiceCollection AddFrontDoor(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => ProtocolJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so bad bodies reach SessionProblems with their reason
        services.AddProblemDetails();
        services.AddExceptionHandler<SessionProblems>();
        return services;
    }

    /// <summary>Runs an options class's own Validate() at start-up, failing with every problem it names.</summary>
    private sealed class OptionsValidator<T>(Func<T, IEnumerable<string>> validate) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
