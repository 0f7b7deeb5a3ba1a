using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;

namespace AgentCluster.Silo.Sessions;

/// <summary>A session as clients see it (<c>GET /sessions/{id}</c>).</summary>
internal static class SessionViews
{
    public static SessionView Of(Session session, long lastEventId, MachinePrices prices, DateTimeOffset now)
    {
        var s = session.State;
        var machineSeconds = session.Machine.SecondsAt(now);
        return new SessionView
        {
            SessionId = session.Id,
            Status = s.Status!.Value,
            Reason = s.Reason,
            MachineId = s.MachineId,
            Region = s.Region,
            CreatedAt = s.CreatedAt,
            UpdatedAt = s.UpdatedAt,
            Turns = s.Turns,
            LastEventId = lastEventId,
            Runtime = s.Runtime,
            Metadata = s.Metadata,
            Owner = session.Owner,
            Preset = s.Preset,
            Model = s.Agent?.Model,
            Workspace = s.Workspace,
            MachineSeconds = Math.Round(machineSeconds, 1),
            CostUsd = prices.CostOf(session.Guest, machineSeconds),
            MaxMachineSeconds = s.MaxMachineSeconds,
            Mode = s.Mode ?? SessionModes.Session,
            Result = s.Results.Last,
            DeniedTools = s.Results.DeniedTools,
            MaxTurnSeconds = s.MaxTurnSeconds,
            ModelUsage = s.ModelUsage,
            ModelCostUsd = s.ModelCostUsd,
            MaxModelUsd = s.MaxModelUsd,
        };
    }
}
