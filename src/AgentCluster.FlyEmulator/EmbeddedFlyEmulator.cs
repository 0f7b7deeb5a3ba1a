using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentCluster.FlyEmulator;

/// <summary>
/// The emulator running inside the current process on a free loopback port: the orchestrator's embedded
/// default, and the tests' Fly. Disposing it stops the server and kills every machine.
/// </summary>
public sealed class EmbeddedFlyEmulator : IAsyncDisposable
{
    private readonly WebApplication app;

    private EmbeddedFlyEmulator(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The API's base URL without <c>/v1</c>, e.g. <c>http://127.0.0.1:41234</c> (what FLY_API_URL takes).</summary>
    public Uri BaseUrl { get; }

    public IServiceProvider Services => app.Services;

    /// <param name="time">The emulator's clock (leases, retention, /wait deadlines, boot delay); tests pass a fake one.</param>
    public static async Task<EmbeddedFlyEmulator> StartAsync(
        Action<EmulatorOptions>? configure = null, string[]? args = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var app = FlyEmulatorApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. args ?? []], configure, time);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EmbeddedFlyEmulator(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
