namespace AgentCluster.Silo.Grains;

/// <summary>An event the session is about to log; the log gives it its sequence number.</summary>
internal sealed record NewEvent(string Type, int Turn, string Payload, DateTimeOffset? At = null);
