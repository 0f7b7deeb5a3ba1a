using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.InternalService;
using AgentCluster.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

// Runs one prompt as a task session through the grains and prints its events as JSON lines (stdout); logs go to stderr.
// Exit code: 0 when the task completed, 1 when it ended otherwise, 2 for a wrong command line.
if (args is not [var prompt])
{
    Console.Error.WriteLine("usage: AgentCluster.InternalService \"<prompt>\"  (REDIS_URL, Orleans__ClusterId, InternalService__Owner from the environment)");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
var config = builder.Configuration;
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
var gatewayLoss = new GatewayLoss();
builder.UseOrleansClient(client =>
{
    // The node's names and defaults: the same cluster as the nodes started with the same environment.
    client.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = config["Orleans:ClusterId"] ?? "agentcluster";
        o.ServiceId = config["Orleans:ServiceId"] ?? "agentcluster";
    });
    if (config["REDIS_URL"] is { Length: > 0 } url)
        client.UseRedisClustering(o => o.ConfigurationOptions = RedisUrl.Parse(url)); // every node's gateway, as they come and go
    else
        client.UseLocalhostClustering(config.GetValue("Orleans:Endpoints:GatewayPort", 30000)); // a node on its embedded default
    client.AddGatewayCountChangedHandler(gatewayLoss.OnGatewayCountChanged);
});
builder.Services.AddSingleton(gatewayLoss).AddSingleton(TimeProvider.System).AddSingleton<ResumingWatch>();
using var host = builder.Build();
await host.StartAsync();

// Every grain call below acts for this owner, as an API key of that name would over HTTP: the session it starts is
// that owner's (visible over HTTP to that key only), and another owner's session is to it as a missing one.
using var actingFor = SessionCaller.ActAs(config["InternalService:Owner"] ?? "internal-service");
var sessionId = config["InternalService:SessionId"] ?? $"svc-{Guid.CreateVersion7():N}";
var session = host.Services.GetRequiredService<IClusterClient>().GetGrain<ISessionGrain>(sessionId);
// Idempotent for the same id and owner: a start retried after a fault neither fails nor makes a second machine.
await session.StartAsync(new StartSession { Prompt = prompt, Mode = SessionModes.Task });

string? reason = null;
await foreach (var e in host.Services.GetRequiredService<ResumingWatch>().EventsAsync(session, afterSeq: 0))
{
    Console.WriteLine(JsonSerializer.Serialize(e, ProtocolJson.Options));
    if (e.Type == EventTypes.SessionStatus && JsonDocument.Parse(e.Payload).RootElement.TryGetProperty("reason", out var r)) reason = r.GetString();
}
await host.StopAsync();
return reason == TerminationReason.Completed.Name() ? 0 : 1;
