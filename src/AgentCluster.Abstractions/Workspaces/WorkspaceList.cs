namespace AgentCluster.Abstractions.Workspaces;

/// <summary>The answer to <c>GET /workspaces</c>: the caller's workspaces.</summary>
public sealed record WorkspaceList(IReadOnlyList<WorkspaceView> Workspaces);
