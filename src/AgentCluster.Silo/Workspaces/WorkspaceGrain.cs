using AgentCluster.Abstractions.Sessions;
using AgentCluster.Abstractions.Workspaces;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Reaping;
using Orleans.Concurrency;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

/// <summary>
/// The single owner of one workspace's Fly volume and of who mounts it. Its volume is made on first use, in
/// the first session's region; it is lent to one live session at a time and given back when that session
/// ends. Reentrant, so that while it asks a holder whether it still lives, that holder can give it back (it
/// may be ending at that very moment, and calling here); every change of state still runs alone (see
/// <see cref="Exclusively{T}"/>).
/// </summary>
[GrainType("workspace"), Reentrant]
public sealed partial class WorkspaceGrain(
    [PersistentState("workspace", ClusterHosting.StorageName)] IPersistentState<WorkspaceState> state,
    WorkspaceVolumes volumes,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<WorkspaceGrain> logger) : Grain, IWorkspaceGrain, IHasLogScope
{
    private readonly SemaphoreSlim changes = new(1, 1);

    private WorkspaceState S => state.State;
    private string Key => this.GetPrimaryKeyString();
    private string Owner => WorkspaceNames.Parse(Key).Owner;
    private string Name => WorkspaceNames.Parse(Key).Name;
    private DateTimeOffset Now => time.GetUtcNow();

    public async Task<WorkspaceLease> AcquireAsync(string sessionId, string region, int? sizeGb)
    {
        var holder = await LiveHolderAsync(besides: sessionId);
        if (holder.Live) throw InUse(holder.SessionId!);
        return await Exclusively(async () =>
        {
            // Asked and answered outside the lock: someone else may have come in meanwhile, and being new, it lives.
            if (S.HeldBy is { } current && current != sessionId && current != holder.SessionId) throw InUse(current);
            if (S.HeldBy is { } ended && ended != sessionId)
                LogTakenOver(Key, ended, sessionId);
            if (!S.Exists) await RecordAsync(region, sizeGb ?? WorkspaceRules.DefaultSizeGb);
            // Held before the volume exists, so that a second session is refused while this one waits for Fly.
            S.HeldBy = sessionId;
            S.UpdatedAt = Now;
            await state.WriteStateAsync();
            await EnsureVolumeAsync();
            return new WorkspaceLease(S.VolumeId!, S.Region!);
        });
    }

    public Task ReleaseAsync(string sessionId) => Exclusively(async () =>
    {
        if (S.HeldBy != sessionId) return true;
        S.HeldBy = null;
        S.UpdatedAt = Now;
        await state.WriteStateAsync();
        return true;
    });

    public async Task<WorkspaceView> DeleteAsync()
    {
        if (!S.Exists) throw NotFound();
        var holder = await LiveHolderAsync(besides: null);
        if (holder.Live)
            throw new SessionException(SessionErrorKind.Conflict,
                $"Workspace '{Name}' is in use by session '{holder.SessionId}'; delete that session first.", "name");
        return await Exclusively(async () =>
        {
            if (!S.Exists) throw NotFound();
            if (S.HeldBy is { } current && current != holder.SessionId)
                throw new SessionException(SessionErrorKind.Conflict, $"Workspace '{Name}' was just taken by session '{current}'.", "name");
            var view = View();
            if (S.VolumeId is null && S.Creating) S.VolumeId = (await volumes.FindAsync(VolumeName))?.Id;
            if (S.VolumeId is { } volume) await volumes.DeleteAsync(volume);
            await GrainFactory.GetGrain<IWorkspaceDirectoryGrain>(Owner).RemoveAsync(Name);
            await state.ClearStateAsync();
            LogDeleted(Key, view.VolumeId);
            return view with { SessionId = null };
        });
    }

    public Task<WorkspaceView?> GetAsync() => Task.FromResult(S.Exists ? View() : null);

    private string VolumeName => WorkspaceNames.VolumeName(Key);

    /// <summary>First use: the workspace is recorded, and listed for its owner, before its volume is made.</summary>
    private async Task RecordAsync(string region, int sizeGb)
    {
        S.Exists = true;
        S.Region = region;
        S.SizeGb = sizeGb;
        S.CreatedAt = Now;
        await GrainFactory.GetGrain<IWorkspaceDirectoryGrain>(Owner).AddAsync(Name);
    }

    /// <summary>
    /// The volume, made if it does not exist yet; one Fly lost (or an operator deleted) is made again, empty.
    /// A create whose outcome is unknown is looked up by name first, so a retry never makes a second volume.
    /// </summary>
    private async Task EnsureVolumeAsync()
    {
        if (S.VolumeId is { } known)
        {
            if (await volumes.GetAsync(known) is not null) return;
            LogVolumeGone(Key, known);
            S.VolumeId = null;
        }
        var volume = S.Creating ? await volumes.FindAsync(VolumeName) : null;
        if (volume is null)
        {
            S.Creating = true;
            await state.WriteStateAsync();
            volume = await volumes.CreateAsync(VolumeName, S.Region!, S.SizeGb);
        }
        S.VolumeId = volume.Id;
        S.Region = volume.Region ?? S.Region;
        S.Creating = false;
        S.UpdatedAt = Now;
        await state.WriteStateAsync();
        LogVolume(Key, volume.Id, S.Region);
    }

    /// <summary>
    /// Who holds the workspace, other than <paramref name="besides"/>, and whether that session still lives.
    /// A holder that never started (its start failed after taking the workspace) or has terminated does not.
    /// </summary>
    private async Task<(string? SessionId, bool Live)> LiveHolderAsync(string? besides)
    {
        if (S.HeldBy is not { } holder || holder == besides) return (null, false);
        var view = await GrainFactory.GetGrain<ISessionGrain>(holder).GetAsync();
        return (holder, view is not null && view.Status != SessionStatus.Terminated);
    }

    private SessionException InUse(string holder) => new(SessionErrorKind.Conflict,
        $"Workspace '{Name}' is in use by session '{holder}'; a workspace serves one session at a time. Delete that session or wait for it to end.",
        "workspace.name");

    private SessionException NotFound() => NotFound(Name);

    public static SessionException NotFound(string name) => new(SessionErrorKind.NotFound, $"There is no workspace '{name}'.", "name");

    private WorkspaceView View() => new()
    {
        Name = Name,
        VolumeId = S.VolumeId,
        Region = S.Region,
        SizeGb = S.SizeGb,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        SessionId = S.HeldBy,
        Ephemeral = WorkspaceNames.IsEphemeral(Name),
        Owner = Owner,
    };

    private Task<T> Exclusively<T>(Func<Task<T>> change) => changes.RunAsync(change);

    private LogScope? logScope;

    LogScope IHasLogScope.LogScope => logScope ??= LogScope.ForWorkspace(Key);

    [LoggerMessage(5000, LogLevel.Warning, "Workspace {Workspace}: session {Holder} ended without giving it back; {SessionId} takes it")]
    private partial void LogTakenOver(string workspace, string holder, string sessionId);

    [LoggerMessage(5001, LogLevel.Information, "Workspace {Workspace} deleted with its volume {VolumeId}")]
    private partial void LogDeleted(string workspace, string? volumeId);

    [LoggerMessage(5002, LogLevel.Warning, "Workspace {Workspace}: its volume {VolumeId} is gone from Fly; making a new, empty one")]
    private partial void LogVolumeGone(string workspace, string volumeId);

    [LoggerMessage(5003, LogLevel.Information, "Workspace {Workspace} has volume {VolumeId} in {Region}")]
    private partial void LogVolume(string workspace, string volumeId, string? region);
}
