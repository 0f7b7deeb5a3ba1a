using AgentCluster.Agent;
using AgentCluster.Agent.Control;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Telemetry;

// The in-machine agent: runs the session's turns and reports their events to the orchestrator nodes. A pool machine's
// agent first waits for the session that claims its machine, then serves it as one made for the session would.
// Exit codes: 0 session over, machine stopped or out of the pool, 2 misconfigured or token refused, 3 orphaned, 1 a bug.
StartupTimeline.Mark(StartupTimeline.Main);
// Before the announcements below: whoever reads one as "ready" may stop the agent at once (SIGINT, SIGTERM), and a
// signal that came before its handler would end the process with 130 instead of a clean stop.
using var signals = new StopSignals();
var log = new AgentLog(Console.Out);
await using var control = new ControlServer(log);
AgentConfig config;
try
{
    config = AgentConfig.FromEnvironment();
    if (config.Pool is not null)
    {
        await PoolWarmUp.RunAsync(config, signals.Token);
        // Listening before the pool hears the agent is ready and suspends the machine: its snapshot holds the server
        // started, off the claimed session's path. Armed by that session's setup.
        await control.StartAsync();
        config = await PoolClaimWait.ClaimAsync(config, log, signals.Token);
    }
    RuntimeCatalog.Check(config.Runtime);
}
catch (AgentExit e)
{
    Console.Error.WriteLine($"agentcluster-agent cannot start: {e.Message}");
    return e.ExitCode;
}

var instance = Guid.NewGuid().ToString("N");
log.Write($"started session={config.SessionId} machine={config.MachineId} runtime={config.Runtime} " +
          $"instance={instance} urls={string.Join(',', config.OrchestratorUrls)} pid={Environment.ProcessId}");

var tracing = AgentTelemetry.Start(config);
try
{
    using var host = new AgentHost(config, instance, TimeProvider.System, log, control);
    return await host.RunAsync(signals.Token);
}
finally
{
    AgentTelemetry.Stop(tracing);
}
