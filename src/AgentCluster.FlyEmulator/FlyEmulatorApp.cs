using AgentCluster.Fly.Json;
using AgentCluster.FlyEmulator.Api;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator;

/// <summary>Builds the local Machines API, standalone or inside another host's process.</summary>
public static class FlyEmulatorApp
{
    public const string DefaultUrl = "http://127.0.0.1:4280";

    /// <summary>The emulator as its own web app; listens on 127.0.0.1:4280 unless <c>--urls</c> says otherwise.</summary>
    public static WebApplication Build(string[] args, Action<EmulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Its settings are code defaults (no appsettings.json, which would land beside a node's binary and shadow the node's).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])) builder.WebHost.UseUrls(DefaultUrl);
        builder.Services.AddFlyEmulator(builder.Configuration, configure);
        if (time is not null) builder.Services.AddSingleton(time);
        var app = builder.Build();
        app.UseFlyEmulator();
        return app;
    }

    public static IServiceCollection AddFlyEmulator(this IServiceCollection services, IConfiguration configuration, Action<EmulatorOptions>? configure = null)
    {
        services.AddOptions<EmulatorOptions>()
            .Bind(configuration.GetSection(EmulatorOptions.Section))
            .Configure(options => configure?.Invoke(options))
            .Validate(options => !options.Validate().Any(), "FlyEmulator options are invalid")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmulatorOptions>, EmulatorOptionsValidator>();
        services.ConfigureHttpJsonOptions(json => FlyJson.Configure(json.SerializerOptions));
        services.AddProblemDetails();
        services.AddFlyRateLimits();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EmulatorStore>();
        services.AddSingleton(services => new PrivateAddresses(services.GetRequiredService<IServer>(),
            exclusive: services.GetRequiredService<IOptions<EmulatorOptions>>().Value.RunProcesses));
        services.AddSingleton<EmulatorRuntime>();
        services.AddSingleton<MachineLauncher>();
        services.AddSingleton<MachineLeases>();
        services.AddSingleton<VolumeLifecycle>();
        services.AddSingleton<MachineWaiter>();
        services.AddSingleton<MachineLifecycle>();
        services.AddSingleton<MachineExecs>();
        services.AddHostedService<MachineShutdown>();
        return services;
    }

    public static WebApplication UseFlyEmulator(this WebApplication app)
    {
        app.UseFlyRequestHandling();
        app.UseRouting();
        app.UseFaultInjection();
        app.UseRateLimiter();
        app.MapApps();
        app.MapMachines();
        app.MapLeases();
        app.MapMetadata();
        app.MapVolumes();
        app.MapEmulatorControl();
        return app;
    }

    private sealed class EmulatorOptionsValidator : IValidateOptions<EmulatorOptions>
    {
        public ValidateOptionsResult Validate(string? name, EmulatorOptions options) =>
            options.Validate().ToList() is { Count: > 0 } failures ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    /// <summary>Kills every machine's process tree as soon as the host begins to stop: no machine outlives the emulator.</summary>
    private sealed class MachineShutdown(MachineLifecycle lifecycle) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => lifecycle.DisposeAsync().AsTask();
    }
}
