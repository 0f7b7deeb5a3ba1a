using AgentCluster.Agent;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Telemetry;

// The in-machine agent: runs the session's turns and reports their events to the orchestrator nodes.
// Exit codes: 0 session over or machine stopped, 2 misconfigured or token refused, 3 orphaned, 1 a bug.
StartupTimeline.Mark(StartupTimeline.Main);
AgentConfig config;
try
{
    config = AgentConfig.FromEnvironment();
    RuntimeCatalog.Check(config.Runtime);
}
catch (AgentExit e)
{
    Console.Error.WriteLine($"agentcluster-agent cannot start: {e.Message}");
    return e.ExitCode;
}

// Before the announcement below: whoever reads it as "ready" may stop the agent at once (SIGINT, SIGTERM), and a
// signal that came before its handler would end the process with 130 instead of a clean stop.
using var signals = new StopSignals();
var log = new AgentLog(Console.Out);
var instance = Guid.NewGuid().ToString("N");
log.Write($"started session={config.SessionId} machine={config.MachineId} runtime={config.Runtime} " +
          $"instance={instance} urls={string.Join(',', config.OrchestratorUrls)} pid={Environment.ProcessId}");

var tracing = AgentTelemetry.Start(config);
try
{
    using var host = new AgentHost(config, instance, TimeProvider.System, log);
    return await host.RunAsync(signals.Token);
}
finally
{
    AgentTelemetry.Stop(tracing);
}
