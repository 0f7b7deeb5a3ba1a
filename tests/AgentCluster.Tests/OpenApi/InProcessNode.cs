using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AgentCluster.Silo.Health;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.OpenApi;

/// <summary>
/// The node's own Program run inside the test process (on free loopback ports, its embedded default), so a test
/// can read what only the process knows, such as its endpoint table. The host is caught as it is built, the way
/// ASP.NET Core's WebApplicationFactory catches it: Microsoft.Extensions.Hosting announces every host it builds
/// on a DiagnosticListener.
/// </summary>
public sealed class InProcessNode : IAsyncDisposable
{
    private readonly Task<object?> run;

    private InProcessNode(IHost host, Task<object?> run, int port)
    {
        Host = host;
        this.run = run;
        HttpPort = port;
    }

    public IHost Host { get; }
    public int HttpPort { get; }

    public static async Task<InProcessNode> StartAsync(TimeSpan deadline)
    {
        var port = Ports.FreeLoopback().ToString();
        var built = new TaskCompletionSource<IHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new HostWatcher(port, built));
        string[] args = [$"--PORT={port}", "--Logging:LogLevel:Default=Warning", $"--Orleans:Endpoints:SiloPort={Ports.FreeLoopback()}", $"--Orleans:Endpoints:GatewayPort={Ports.FreeLoopback()}"];
        var entry = typeof(HealthHosting).Assembly.EntryPoint ?? throw new InvalidOperationException("AgentCluster.Silo has no entry point");
        var run = Task.Factory.StartNew(() => entry.Invoke(null, [args]), TaskCreationOptions.LongRunning);

        var host = await built.Task.WaitAsync(deadline);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await Task.WhenAny(started.Task, run).WaitAsync(deadline);
        if (run.IsCompleted) Assert.Fail($"the in-process node stopped while starting: {run.Exception?.GetBaseException().Message ?? "exit code " + run.Result}");
        return new InProcessNode(host, run, int.Parse(port));
    }

    public async ValueTask DisposeAsync()
    {
        Host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Takes the first host built whose configuration has this node's PORT (other tests build hosts too).</summary>
    private sealed class HostWatcher(string port, TaskCompletionSource<IHost> built) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.Extensions.Hosting") listener.Subscribe(this);
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e is { Key: "HostBuilt", Value: IHost host } && host.Services.GetRequiredService<IConfiguration>()["PORT"] == port)
                built.TrySetResult(host);
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }
}
