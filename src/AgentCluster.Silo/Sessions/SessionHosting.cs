using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using Microsoft.Extensions.DependencyInjection.Extensions;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// Sessions' own parts: their options and their agents' model (checked when the node starts), their clock and their
/// machines. The features a session uses (storage, secrets, reaping, cost, …) register themselves: see Program.cs.
/// </summary>
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
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(SessionClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<CallbackUrls>();
        services.AddSingleton<SessionMachines>();
        services.AddSingleton<IMachines>(sp => sp.GetRequiredService<SessionMachines>()); // the sessions' port to Fly
        services.AddSingleton<SessionTurns>(); // the protocol adapters' way to a turn (OpenAI, A2A, MCP)
        return services;
    }
}
