using AgentCluster.Fly;
using AgentCluster.Silo.A2a;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Control;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Dashboard;
using AgentCluster.Silo.Fly;
using AgentCluster.Silo.Health;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Mcp;
using AgentCluster.Silo.ModelGateway;
using AgentCluster.Silo.OpenAi;
using AgentCluster.Silo.OpenApi;
using AgentCluster.Silo.Pool;
using AgentCluster.Silo.Presets;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Secrets;
using AgentCluster.Silo.Storage;
using AgentCluster.Silo.Telemetry;
using AgentCluster.Silo.Workspaces;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.WebConsole;
using AgentCluster.Silo.Webhooks;

// appsettings.json is read from beside the node's binary, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
FlyNode.Apply(builder); // in a Fly Machine: its private address, id and app name as the node's defaults
ListenAddresses.Apply(builder); // PORT (loopback), ASPNETCORE_URLS, Kestrel config, or 127.0.0.1:8080 ([::] in a Fly Machine)

// With no Fly token configured, the node runs its embedded default: the local Machines emulator in this
// process, agents as local processes. The client cannot tell it from Fly except by the URL. The only line
// that touches the emulator (see EmbeddedFly).
await using var emulator = await EmbeddedFly.StartUnlessConfiguredAsync(builder);

builder.AddNodeDrain();
builder.AddClusterNode();
builder.AddTelemetry();
builder.Services.AddFlyMachinesClient(builder.Configuration);
builder.Services.AddSessions(builder.Configuration);
builder.Services.AddReaping(builder.Configuration);
builder.Services.AddMachinePool(builder.Configuration);
builder.Services.AddSessionSecrets(builder.Configuration);
builder.Services.AddWorkspaces();
builder.Services.AddEventRelay();
builder.Services.AddGrainLogScopes();
builder.Services.AddSessionTelemetry();
builder.Services.AddCost(builder.Configuration);
builder.Services.AddSessionStorage(builder.Configuration);
builder.Services.AddPresets(builder.Configuration);
builder.Services.AddFrontDoor(builder.Configuration);
builder.Services.AddNodeHealth(builder.Configuration);
builder.Services.AddPublicApiDocument();
builder.Services.AddModelGateway();
builder.Services.AddMachineControl();
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddMcpEndpoint();

var app = builder.Build();
app.UseExceptionHandler();
app.UseNodeDrain();
app.UseSessionLogScopes();
app.UseStatusCodePages(); // a 404 or 405 from routing is a ProblemDetails too
app.UseWebConsole(); // /ui/: static files, before authentication (the page asks for the key, the API checks it)
app.UseAuthentication();
app.UseAuthorization();
app.MapNodeHealth(embeddedFly: emulator is not null);
app.MapPublicApiDocument();
app.MapOperatorDashboard();
app.MapSessions();
app.MapPresets();
app.MapOpenAi(); // /v1/chat/completions and /v1/models: OpenAI's protocol onto sessions
app.MapA2a(); // /.well-known/agent-card.json and /a2a: the Agent2Agent protocol onto sessions
app.MapMcpEndpoint(); // /mcp: sessions as MCP tools and resources
app.MapWorkspaces();
app.MapAgentProtocol();
app.MapPool();
app.MapModelGateway();
app.MapWebhooks();
app.MapTelemetry();
return await app.RunOrExplainAsync(); // bad configuration: what to set, and exit code 1
