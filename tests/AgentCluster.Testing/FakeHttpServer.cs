using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Testing;

/// <summary>
/// The skeleton of every fake HTTP service the tests and the harness stand up (a model API, a git remote, the
/// node's agent protocol, an OTLP collector): Kestrel on 127.0.0.1 and a port the OS picks, in this process, quiet
/// logs, and a short shutdown so that a response still held open does not keep a stopping fake for 30 s. A fake
/// maps its endpoints in <see cref="Map"/> and offers a static <c>StartAsync</c> that calls <see cref="StartAsync{T}(T)"/>.
/// </summary>
public abstract class FakeHttpServer : IAsyncDisposable
{
    private WebApplication? app;

    /// <summary>The server's base URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Maps the fake's endpoints (and any middleware) onto the built application.</summary>
    protected abstract void Map(WebApplication app);

    /// <summary>Called first when the fake is disposed: release what holds responses open.</summary>
    protected virtual ValueTask OnStoppingAsync() => ValueTask.CompletedTask;

    protected static async Task<T> StartAsync<T>(T fake) where T : FakeHttpServer
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        fake.app = builder.Build();
        fake.Map(fake.app);
        await fake.app.StartAsync();
        fake.Url = new Uri(fake.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await OnStoppingAsync();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
