using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Sessions;
using Orleans.Concurrency;

namespace AgentCluster.Abstractions.Workspaces;

/// <summary>
/// One persistent workspace, keyed <c>{owner}/{name}</c>: the single owner of its Fly volume, and of who may
/// mount it. Used by one live session at a time; a session that ends gives it back.
/// </summary>
[Alias("AgentCluster.IWorkspaceGrain")]
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>
    /// The workspace for <paramref name="sessionId"/>, its volume created on first use (in
    /// <paramref name="region"/>, of <paramref name="sizeGb"/> GB). Idempotent for the session that holds it.
    /// A <see cref="SessionErrorKind.Conflict"/> naming the holder while another live session holds it; a
    /// holder that has terminated without giving it back is taken over.
    /// </summary>
    [Alias("Acquire")]
    Task<WorkspaceLease> AcquireAsync(string sessionId, string region, int? sizeGb);

    /// <summary>Gives the workspace back if <paramref name="sessionId"/> holds it; anything else is a no-op.</summary>
    [Alias("Release")]
    Task ReleaseAsync(string sessionId);

    /// <summary>
    /// Destroys the workspace and its volume (its data is gone). <see cref="SessionErrorKind.Conflict"/> while a
    /// live session holds it, <see cref="SessionErrorKind.NotFound"/> when there is no such workspace.
    /// </summary>
    [Alias("Delete")]
    Task<WorkspaceView> DeleteAsync();

    /// <summary>The workspace as it is now, or null when there is none.</summary>
    [Alias("Get"), ReadOnly]
    Task<WorkspaceView?> GetAsync();
}

/// <summary>What a session mounts: the volume, and the region its machine must be in (the volume's).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.WorkspaceLease")]
public sealed record WorkspaceLease([property: Id(0)] string VolumeId, [property: Id(1)] string Region);

/// <summary>A workspace as clients see it.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.WorkspaceView")]
public sealed record WorkspaceView
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string? VolumeId { get; init; }
    [Id(2)] public string? Region { get; init; }
    [Id(3)] public int SizeGb { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The session using it now, if any.</summary>
    [Id(6)] public string? SessionId { get; init; }

    /// <summary>An unnamed workspace: its session's alone, destroyed with it.</summary>
    [Id(7)] public bool Ephemeral { get; init; }

    /// <summary>The API key name that owns it; for the front door's access check, not shown.</summary>
    [Id(8), JsonIgnore] public string? Owner { get; init; }
}
