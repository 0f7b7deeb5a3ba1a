using AgentCluster.Fly;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Fly;
using AgentCluster.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (builder.Configuration["PORT"] is { Length: > 0 } port) builder.WebHost.UseUrls($"http://127.0.0.1:{port}");

// With no Fly token configured, the node runs its embedded default: the local Machines emulator in this
// process, agents as local processes. The client cannot tell it from Fly except by the URL.
await using var emulator = string.IsNullOrEmpty(builder.Configuration["FLY_API_TOKEN"])
    ? await EmbeddedFlyEmulator.StartAsync(args: ["--FlyEmulator:Region=" + (builder.Configuration["FLY_REGION"] ?? "iad")])
    : null;
if (emulator is not null) builder.Configuration.AddInMemoryCollection(EmbeddedFly.Settings(emulator));

builder.AddClusterNode();
builder.Services.AddFlyMachinesClient(builder.Configuration);
if (emulator is not null) builder.Services.AddHostedService<EmbeddedFly>();

var app = builder.Build();
app.MapGet("/health", () => TypedResults.Ok(new { status = "ok", fly = emulator is null ? "fly" : "embedded-emulator" }));
await app.RunAsync();
