using System.Net;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace AgentCluster.Fly;

public static class FlyServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Machines API clients (<see cref="IFlyAppsApi"/>, <see cref="IFlyMachinesApi"/>,
    /// <see cref="IFlyLeasesApi"/>, <see cref="IFlyMetadataApi"/>, <see cref="IFlyVolumesApi"/>) on HttpClientFactory, configured from
    /// FLY_API_URL, FLY_API_TOKEN and FLY_AGENT_APP (FLY_APP_NAME outside a Fly Machine) or FLY_AGENT_APPS, and the <c>Fly</c> section,
    /// validated at start.
    /// </summary>
    public static IServiceCollection AddFlyMachinesClient(
        this IServiceCollection services, IConfiguration configuration, Action<FlyOptions>? configure = null)
    {
        services.AddOptions<FlyOptions>()
            .Configure(options =>
            {
                configuration.GetSection("Fly").Bind(options);
                if (configuration["FLY_API_URL"] is { Length: > 0 } url) options.ApiUrl = new Uri(url);
                if (configuration["FLY_API_TOKEN"] is { Length: > 0 } token) options.ApiToken = token;
                if (configuration[FlyOptions.AgentAppsVariable] is { Length: > 0 } agentApps) options.AgentApps = FlyOptions.ParseAppList(agentApps);
                if (configuration[FlyOptions.AgentAppVariable] is { Length: > 0 } agentApp) options.AppName = agentApp;
                // FLY_APP_NAME is a fallback for one app outside a Machine, never a rival to an explicit list.
                else if (options.AgentApps.Count == 0 && !FlyMachineEnvironment.IsFlyMachine(configuration)
                         && configuration[FlyMachineEnvironment.AppName] is { Length: > 0 } app)
                    options.AppName = app;
                configure?.Invoke(options);
                // With several apps and no main one named, the first is it (what reads AppName still has one app).
                if (string.IsNullOrWhiteSpace(options.AppName) && options.AgentApps.Count > 0) options.AppName = options.AgentApps[0];
            })
            .Validate(options => !options.Validate().Any(), "Fly options are invalid")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FlyOptions>, FlyOptionsValidator>();
        services.AddTransient<FlyAuthHandler>();
        services.AddSingleton<FlyRateLimits>();
        services.AddTransient<FlyRateLimitHandler>();
        services.AddMetrics();
        services.AddSingleton<FlyApiMetrics>();
        services.AddTransient<FlyMetricsHandler>();

        var settings = new RefitSettings
        {
            ContentSerializer = new SystemTextJsonContentSerializer(FlyJson.Options),
            UrlParameterFormatter = new FlyUrlParameterFormatter(),
            ExceptionFactory = FlyApiException.FromResponseAsync,
        };
        AddApi<IFlyAppsApi>(services, settings);
        AddApi<IFlyMachinesApi>(services, settings);
        AddApi<IFlyLeasesApi>(services, settings);
        AddApi<IFlyMetadataApi>(services, settings);
        AddApi<IFlyVolumesApi>(services, settings);
        return services;
    }

    private static void AddApi<TApi>(IServiceCollection services, RefitSettings settings) where TApi : class
    {
        var client = services.AddRefitGeneratedClient<TApi>(settings)
            .ConfigureHttpClient((sp, client) =>
            {
                client.BaseAddress = sp.GetRequiredService<IOptions<FlyOptions>>().Value.VersionedBaseAddress;
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .RedactLoggedHeaders([HttpRequestHeader.Authorization.ToString()]);
        client.AddResilienceHandler("fly", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<FlyOptions>>().Value;
                pipeline.AddTimeout(TimeoutFor(options.TotalTimeout));
                // Polly refuses zero attempts; "no retries" means no retry strategy at all.
                if (options.Retry.MaxRetryAttempts > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.Retry.MaxRetryAttempts,
                        Delay = options.Retry.BaseDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(FlyRetryPolicy.ShouldRetry(
                            args.Outcome.Result?.RequestMessage ?? RequestOf(args.Context),
                            args.Outcome.Result?.StatusCode,
                            args.Outcome.Exception)),
                    });
                }
                pipeline.AddTimeout(TimeoutFor(options.AttemptTimeout));
            });
        client.AddHttpMessageHandler<FlyAuthHandler>();
        client.AddHttpMessageHandler<FlyRateLimitHandler>();
        client.AddHttpMessageHandler<FlyMetricsHandler>();
    }

    private static HttpRequestMessage? RequestOf(ResilienceContext context) => context.GetRequestMessage();

    /// <summary><paramref name="usual"/>, except for an exec, which lasts as long as its command (<see cref="FlyExecCalls"/>).</summary>
    private static HttpTimeoutStrategyOptions TimeoutFor(TimeSpan usual) => new()
    {
        Timeout = usual,
        TimeoutGenerator = args => ValueTask.FromResult(FlyExecCalls.IsExec(RequestOf(args.Context)) ? FlyExecCalls.LongestCall : usual),
    };
}

internal sealed class FlyOptionsValidator : IValidateOptions<FlyOptions>
{
    public ValidateOptionsResult Validate(string? name, FlyOptions options)
    {
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
