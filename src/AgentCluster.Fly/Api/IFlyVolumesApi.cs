using AgentCluster.Fly.Models;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>Volumes of an app: persistent disks that a machine mounts through <c>config.mounts</c>.</summary>
public interface IFlyVolumesApi
{
    /// <summary>Every volume of the app, destroyed ones excepted; <paramref name="summary"/> omits the block counts.</summary>
    [Get("/apps/{appName}/volumes")]
    Task<List<Volume>> ListVolumesAsync(string appName, bool? summary = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Not idempotent and never retried blindly (names are not unique, so a second create makes a second
    /// volume): after a 408, a 5xx or a lost answer, look the volume up by name before creating again.
    /// </summary>
    [Post("/apps/{appName}/volumes")]
    Task<Volume> CreateVolumeAsync(string appName, [Body] CreateVolumeRequest request, CancellationToken cancellationToken = default);

    /// <summary>404 <c>volume not found</c> for an unknown or destroyed volume.</summary>
    [Get("/apps/{appName}/volumes/{volumeId}")]
    Task<Volume> GetVolumeAsync(string appName, string volumeId, CancellationToken cancellationToken = default);

    [Put("/apps/{appName}/volumes/{volumeId}")]
    Task<Volume> UpdateVolumeAsync(string appName, string volumeId, [Body] UpdateVolumeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Destroys the volume and its data; 412 while a machine that is not destroyed has it mounted.</summary>
    [Delete("/apps/{appName}/volumes/{volumeId}")]
    Task<Volume> DeleteVolumeAsync(string appName, string volumeId, CancellationToken cancellationToken = default);

    /// <summary>Grows the volume (never shrinks it); the attached machine may need a restart to see it.</summary>
    [Put("/apps/{appName}/volumes/{volumeId}/extend")]
    Task<ExtendVolumeResponse> ExtendVolumeAsync(string appName, string volumeId, [Body] ExtendVolumeRequest request, CancellationToken cancellationToken = default);
}
