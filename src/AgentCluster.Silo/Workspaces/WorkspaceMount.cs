using AgentCluster.Abstractions.Agents;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

/// <summary>Where a session's workspace volume appears in its machine, and how the agent is told so.</summary>
public static class WorkspaceMount
{
    public const string Path = "/workspace";

    /// <summary>The machine's mounts: the workspace volume, if the session has one.</summary>
    public static IReadOnlyList<MachineMount>? For(string? volumeId) =>
        volumeId is null ? null : [new MachineMount { Volume = volumeId, Path = Path }];

    /// <summary>The agent runs its turns in the workspace, if the session has one.</summary>
    public static void AddTo(IDictionary<string, string> env, string? volumeId)
    {
        if (volumeId is not null) env[AgentEnvironment.Workspace] = Path;
    }
}
