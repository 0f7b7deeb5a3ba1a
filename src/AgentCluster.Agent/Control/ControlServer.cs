using System.Globalization;
using System.Net;
using AgentCluster.Abstractions.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Agent.Control;

/// <summary>
/// The agent's control server (<see cref="ControlProtocol"/>): how a node reaches into the machine (exec, files,
/// archives), over HTTP on the machine's private address (<c>FLY_PRIVATE_IP</c>: Fly's 6PN address, the emulator's
/// 127.x.y.z; 127.0.0.1 without it) and <c>AGENTCLUSTER_CONTROL_PORT</c> (0: any free port, as tests use). Started
/// beside the turns, never before them: a session's first output does not wait for it; a pool machine's agent starts it
/// while it waits for its claim. It answers 503 until the session's setup arms its <see cref="ControlGate"/>. A server
/// that cannot start (a bad address, a port taken) is logged and left out: the turns go on without it.
/// </summary>
internal sealed class ControlServer(AgentLog log, Func<string, string?> environment) : IAsyncDisposable
{
    public const string AddressVariable = "FLY_PRIVATE_IP";

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(1);

    private readonly ControlGate gate = new();
    private Task<WebApplication?>? starting;

    public ControlServer(AgentLog log) : this(log, Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>The session's setup is done: calls with <paramref name="key"/> now reach <paramref name="workspace"/>.</summary>
    public void Arm(string? key, string workspace) => gate.Arm(key, workspace);

    /// <summary>Starts listening, on the thread pool; a second call only returns the first one's task, which never fails (a failure is logged).</summary>
    public Task StartAsync() => starting ??= Task.Run(ListenAsync);

    /// <summary>Where the server listens, once it does; null when it could not start.</summary>
    public async Task<Uri?> UrlAsync() =>
        starting is not null && await starting is { } app ? new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) : null;

    /// <exception cref="FormatException">The address or the port is malformed.</exception>
    public static IPEndPoint Endpoint(Func<string, string?> environment)
    {
        var address = environment(AddressVariable) is { Length: > 0 } text
            ? IPAddress.TryParse(text.Trim(), out var parsed) ? parsed : throw new FormatException($"{AddressVariable}='{text}' is not an IP address")
            : IPAddress.Loopback;
        var port = environment(ControlProtocol.PortVariable) is { Length: > 0 } portText
            ? int.TryParse(portText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= IPEndPoint.MaxPort
                ? number
                : throw new FormatException($"{ControlProtocol.PortVariable}='{portText}' is not a port number (0 for any free port)")
            : ControlProtocol.DefaultPort;
        return new IPEndPoint(address, port);
    }

    private async Task<WebApplication?> ListenAsync()
    {
        try
        {
            var endpoint = Endpoint(environment);
            // Not the agent's working directory (the workspace) as content root: nothing of the session's is configuration.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<IHostLifetime, NoSignals>();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(endpoint);
                kestrel.AddServerHeader = false;
                // Files and archives stream to disk: the node enforces the size it allows (FrontDoor__MaxFileBytes).
                kestrel.Limits.MaxRequestBodySize = null;
            });
            var app = builder.Build();
            app.Use(RefuseAsync);
            ControlEndpoints.Map(app, gate);
            await app.StartAsync();
            log.Write($"control server on {app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}");
            return app;
        }
        catch (Exception e)
        {
            log.Write($"control server not started: {e.Message}");
            return null;
        }
    }

    /// <summary>The gate, a path spelt to climb out (checked on the raw request line, before anyone normalizes it), and every refusal written as ProblemDetails.</summary>
    private async Task RefuseAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            if (gate.Check(context.Request) is { } refusal) throw refusal;
            var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            WorkspacePaths.Normalize(raw.Split('?')[0].TrimStart('/'), "path");
            await next(context);
        }
        catch (ControlRefusal refusal)
        {
            await ProblemAsync(context, refusal.Status, refusal.Title, refusal.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: nobody to answer.
        }
        catch (BadHttpRequestException e)
        {
            await ProblemAsync(context, e.StatusCode, "Bad request", $"body: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            await ProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", $"path: {e.Message}");
        }
        catch (IOException e)
        {
            log.Write($"control call {context.Request.Method} {context.Request.Path} failed: {e.Message}");
            await ProblemAsync(context, StatusCodes.Status500InternalServerError, "Failed", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug: its message may say more than a caller should read (paths, state); the machine's log keeps it.
            log.Write($"control call {context.Request.Method} {context.Request.Path} failed: {e}");
            await ProblemAsync(context, StatusCodes.Status500InternalServerError, "Failed", "The agent failed to carry out the call; its log says why.");
        }
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        if (context.Response.HasStarted)
        {
            // Part of a file or an archive went out already: cutting the connection is the only way to say it is not whole.
            context.Abort();
            return;
        }
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        await Results.Json(problem, ControlJson.Default.ProblemDetails, "application/problem+json", status).ExecuteAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        if (starting is null || await starting is not { } app) return;
        using var timeout = new CancellationTokenSource(StopTimeout);
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }

    /// <summary>The agent handles SIGTERM and SIGINT itself (<see cref="StopSignals"/>): the server must not take them and stop on its own.</summary>
    private sealed class NoSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
