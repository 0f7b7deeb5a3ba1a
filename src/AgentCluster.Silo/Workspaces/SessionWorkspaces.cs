using AgentCluster.Abstractions.Sessions;
using AgentCluster.Abstractions.Workspaces;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Workspaces;

/// <summary>
/// A session's persistent workspace (a Fly volume at /workspace, see <see cref="WorkspaceGrain"/>): taken before
/// the machine is made, so that the machine mounts it and runs in its region, and given back once the machine is
/// gone. An unnamed workspace is the session's alone and is destroyed with it.
/// </summary>
public sealed class SessionWorkspaces(IGrainFactory grains, IOptions<AgentSessionOptions> options, ILogger<SessionWorkspaces> logger)
{
    /// <summary>
    /// Takes the workspace the request names (409 while another live session has it); null without one. Before
    /// anything is recorded: a refused session leaves nothing behind.
    /// </summary>
    public async Task<HeldWorkspace?> AcquireAsync(string sessionId, string owner, StartSession request)
    {
        if (request.Workspace is not { } spec) return null;
        var name = spec.Name ?? WorkspaceNames.ForSession(sessionId);
        var workspace = WorkspaceOf(owner, name);
        var lease = await workspace.AcquireAsync(sessionId, request.Region ?? options.Value.Region, spec.SizeGb);
        if (request.Region is { } asked && asked != lease.Region)
        {
            await workspace.ReleaseAsync(sessionId);
            throw SessionException.Invalid("region",
                $"workspace '{name}' is in region '{lease.Region}', where its volume is; ask for that region or leave region out.");
        }
        return new HeldWorkspace(name, lease.VolumeId, lease.Region);
    }

    /// <summary>
    /// The session is over and its machine destroyed: the workspace is free for the owner's next session, or,
    /// unnamed, destroyed. A failure here is logged, not the session's: the workspace stays listed for its owner,
    /// who can delete it, and a later session naming it takes it over from this terminated one.
    /// </summary>
    public async Task ReleaseAsync(string sessionId, string owner, string name)
    {
        var workspace = WorkspaceOf(owner, name);
        try
        {
            await workspace.ReleaseAsync(sessionId);
            if (WorkspaceNames.IsEphemeral(name)) await workspace.DeleteAsync();
        }
        catch (SessionException e)
        {
            logger.WorkspaceNotReleased(sessionId, name, e.Message);
        }
    }

    private IWorkspaceGrain WorkspaceOf(string owner, string name) => grains.GetGrain<IWorkspaceGrain>(WorkspaceNames.Key(owner, name));
}

/// <summary>The workspace a session holds: its volume, mounted at /workspace, and the region the volume is in.</summary>
public sealed record HeldWorkspace(string Name, string VolumeId, string Region);
