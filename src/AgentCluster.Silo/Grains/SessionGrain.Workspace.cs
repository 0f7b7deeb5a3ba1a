using AgentCluster.Abstractions.Sessions;
using AgentCluster.Abstractions.Workspaces;
using AgentCluster.Silo.Workspaces;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The session's persistent workspace (a Fly volume at /workspace, see <see cref="WorkspaceGrain"/>): taken
/// before the machine is made, so that the machine mounts it and runs in its region, and given back once the
/// machine is gone. An unnamed workspace is the session's alone and is destroyed with it.
/// </summary>
public sealed partial class SessionGrain
{
    /// <summary>
    /// Takes the workspace the request names (409 while another live session has it) and returns the request
    /// placed in the workspace's region. Before anything is recorded: a refused session leaves nothing behind.
    /// </summary>
    private async Task<StartSession> AcquireWorkspaceAsync(StartSession request)
    {
        if (request.Workspace is not { } spec) return request;
        var name = spec.Name ?? WorkspaceNames.ForSession(Id);
        var workspace = WorkspaceOf(OwnerOf(request), name);
        var lease = await workspace.AcquireAsync(Id, request.Region ?? options.Value.Region, spec.SizeGb);
        if (request.Region is { } asked && asked != lease.Region)
        {
            await workspace.ReleaseAsync(Id);
            throw SessionException.Invalid("region",
                $"workspace '{name}' is in region '{lease.Region}', where its volume is; ask for that region or leave region out.");
        }
        S.Workspace = name;
        S.WorkspaceVolumeId = lease.VolumeId;
        return request with { Region = lease.Region };
    }

    /// <summary>
    /// The session is over and its machine destroyed: the workspace is free for the owner's next session, or,
    /// unnamed, destroyed. A failure here is logged, not the session's: the workspace stays listed for its
    /// owner, who can delete it, and a later session naming it takes it over from this terminated one.
    /// </summary>
    private async Task ReleaseWorkspaceAsync()
    {
        if (S.Workspace is not { } name) return;
        var workspace = WorkspaceOf(Owner, name);
        try
        {
            await workspace.ReleaseAsync(Id);
            if (WorkspaceNames.IsEphemeral(name)) await workspace.DeleteAsync();
        }
        catch (SessionException e)
        {
            LogWorkspaceNotReleased(Id, name, e.Message);
        }
    }

    private IWorkspaceGrain WorkspaceOf(string owner, string name) => GrainFactory.GetGrain<IWorkspaceGrain>(WorkspaceNames.Key(owner, name));
}
