namespace AgentCluster.Cli;

/// <summary>A command line that parsed but does not make sense (a bad NAME=value, two local paths for cp): exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
