using AgentCluster.FlyEmulator;

// The local Fly Machines API: `dotnet run --project src/AgentCluster.FlyEmulator -- --urls http://127.0.0.1:4280`
await FlyEmulatorApp.Build(args).RunAsync();
