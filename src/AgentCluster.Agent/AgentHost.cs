using System.Diagnostics;
using AgentCluster.Agent.Control;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>
/// Runs the agent's loops side by side (turns, outbox, heartbeats, orphan watch) and ends them all when one
/// of them finds a reason to stop, or when the machine is told to stop.
/// </summary>
internal sealed class AgentHost : IDisposable
{
    /// <summary>How long a stopping agent tries to deliver what it has not delivered yet; Fly kills it soon after.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long after the turns start the control server does (a pool machine's agent started it already). Its start-up
    /// (Kestrel, compiled on first use in the JIT build) takes CPU the first output's path needs: started at once beside
    /// the turns, the first output came about 10 % later (p50 of 13 runs each, on a loaded 2-core host). A second later,
    /// the first output (about 150 ms in the JIT build) is out, and the start competes with nothing the user waits on.
    /// </summary>
    public static readonly TimeSpan ControlServerDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long the loops get to wind down once cancelled, so that a stuck one cannot keep the process alive.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient http;
    private readonly TimeProvider time;
    private readonly AgentLog log;
    private readonly OrphanWatch orphans;
    private readonly Heartbeats heartbeats;
    private readonly EventOutbox outbox;
    private readonly AgentConfig config;
    private readonly OrchestratorClient client;
    private readonly string instance;
    private readonly ControlServer control;

    /// <param name="control">Started beside the turns (a pool machine's agent started it already), armed by the setup.</param>
    public AgentHost(AgentConfig config, string instance, TimeProvider time, AgentLog log, ControlServer control)
    {
        this.config = config;
        this.control = control;
        this.instance = instance;
        this.time = time;
        this.log = log;
        if (config.Pool is not null) throw new ArgumentException("a pool machine's config has no session before its claim", nameof(config));
        http = NodeCalls.NewHttpClient();
        orphans = new OrphanWatch(config.OrphanTimeout, time);
        client = new OrchestratorClient(config, instance, http, orphans, time, log, Random.Shared);
        heartbeats = new Heartbeats(client, config.HeartbeatInterval, time);
        outbox = new EventOutbox(client, time, heartbeats.Sent);
    }

    /// <param name="stop">Fires on SIGTERM/SIGINT.</param>
    /// <returns>The process's exit code.</returns>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var stopTurns = new CancellationTokenSource();
        using var stopBackground = new CancellationTokenSource();
        _ = FirstTurnWarmUp.StartAsync();
        var turnLoop = RunTurnsAsync(stopTurns.Token);
        _ = StartControlServerAsync(stopBackground.Token);
        Task[] background =
        [
            outbox.RunAsync(stopBackground.Token),
            heartbeats.RunAsync(stopBackground.Token),
            orphans.WatchAsync(stopBackground.Token),
        ];
        var signalled = new TaskCompletionSource();
        await using var onStop = stop.Register(() => signalled.TrySetResult());

        var first = await Task.WhenAny([turnLoop, signalled.Task, .. background]);
        int exitCode;
        if (first == signalled.Task)
        {
            log.Write("stop signal received: interrupting the running turn");
            await stopTurns.CancelAsync();
            await SettleAsync(turnLoop);
            var flushed = await outbox.FlushAsync(FlushTimeout, CancellationToken.None);
            log.Write(flushed ? "every event delivered" : $"{outbox.Pending} events not delivered within {FlushTimeout.TotalSeconds:0} s");
            exitCode = 0;
        }
        else
        {
            exitCode = ExitCodeOf(first);
        }

        await stopTurns.CancelAsync();
        await stopBackground.CancelAsync();
        await SettleAsync([turnLoop, .. background]);
        log.Write($"exiting with code {exitCode}");
        return exitCode;
    }

    private async Task StartControlServerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(ControlServerDelay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await control.StartAsync();
    }

    /// <summary>Sets the runtime up from what the node hands over (settings, credentials), then runs the turns.</summary>
    private async Task RunTurnsAsync(CancellationToken cancellationToken)
    {
        var runtime = await SetUpAsync(cancellationToken);
        await new TurnLoop(client, runtime, outbox, time, log).RunAsync(cancellationToken);
    }

    /// <summary>The runtime, ready: settings and credentials fetched, the repository cloned. The start-up span ends here.</summary>
    private async Task<IAgentRuntime> SetUpAsync(CancellationToken cancellationToken)
    {
        using var span = AgentTracing.StartStartup(config, instance);
        var setup = await client.SetupAsync(cancellationToken);
        IAgentRuntime runtime;
        var workspace = config.Workspace;
        try
        {
            workspace = await WorkspaceRepository.CloneAsync(config.Workspace, setup.Settings.Repository, log, cancellationToken) ?? config.Workspace;
            runtime = RuntimeCatalog.Create(config.Runtime, new RuntimeContext(workspace, setup.Settings, setup.Credentials, setup.Conversation));
        }
        catch (RepositoryCloneException e)
        {
            log.Write(e.Message);
            span?.SetStatus(ActivityStatusCode.Error, "repository clone failed");
            runtime = new UnavailableRuntime(config.Runtime, e.Message);
        }
        // The folder the turns run in; without a runtime, still the workspace, so that a user can look at what went wrong.
        control.Arm(setup.ControlKey, workspace);
        log.Write($"runtime {runtime.Name} set up" + (setup.Settings.Model is { } model ? $" (model {model})" : ""));
        return runtime;
    }

    private int ExitCodeOf(Task ended)
    {
        switch (ended.Exception?.InnerException)
        {
            case AgentExit exit:
                log.Write(exit.Message);
                return exit.ExitCode;
            case { } error:
                log.Write($"failed: {error}");
                return 1;
            default:
                log.Write("a loop ended on its own, which it never should");
                return 1;
        }
    }

    private async Task SettleAsync(params Task[] tasks)
    {
        try
        {
            await Task.WhenAll(tasks).WaitAsync(SettleTimeout, time);
        }
        catch (Exception e) when (e is OperationCanceledException or AgentExit or TimeoutException)
        {
            // Ending is what was asked for; the reason to stop was already taken from the first task to end.
        }
    }

    public void Dispose() => http.Dispose();
}
