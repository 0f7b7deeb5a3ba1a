using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Workspaces;

/// <summary>What a workspace persists: its volume and who holds it. Nothing here is secret.</summary>
[GenerateSerializer, Alias("AgentCluster.WorkspaceState")]
public sealed class WorkspaceState
{
    /// <summary>False until first used, and again once deleted.</summary>
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public string? VolumeId { get; set; }

    /// <summary>The volume's region: every session that mounts it runs there.</summary>
    [Id(2)] public string? Region { get; set; }

    [Id(3)] public int SizeGb { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The session it is lent to; null when free.</summary>
    [Id(6)] public string? HeldBy { get; set; }

    /// <summary>A volume create was sent and its outcome is not known: look the volume up by name before creating again.</summary>
    [Id(7)] public bool Creating { get; set; }
}
