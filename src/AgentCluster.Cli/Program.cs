using AgentCluster.Cli;

return await CliApp.RunAsync(args);
