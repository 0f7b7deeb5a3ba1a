using AgentCluster.Fly;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Fly;
using AgentCluster.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["PORT"] is { Length: > 0 } port) builder.WebHost.UseUrls($"http://127.0.0.1:{port}");

// With no Fly token configured, the node runs its embedded default: the local Machines emulator in this
// process, agents as local processes. The client cannot tell it from Fly except by the URL.
await using var emulator = await EmbeddedFly.StartUnlessConfiguredAsync(builder);

builder.AddNodeDrain();
builder.AddClusterNode();
builder.Services.AddFlyMachinesClient(builder.Configuration);
builder.Services.AddSessions(builder.Configuration);
builder.Services.AddFrontDoor();

var app = builder.Build();
app.UseExceptionHandler();
app.UseNodeDrain();
app.MapGet("/health", () => TypedResults.Ok(new { status = "ok", fly = emulator is null ? "fly" : "embedded-emulator" }));
app.MapSessions();
app.MapAgentProtocol();
await app.RunAsync();
