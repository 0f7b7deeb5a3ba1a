using AgentCluster.Fly.Models;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>Machine metadata: changing it mints no new version and is not guarded by leases.</summary>
public interface IFlyMetadataApi
{
    [Get("/apps/{appName}/machines/{machineId}/metadata")]
    Task<Dictionary<string, string>> GetMetadataAsync(string appName, string machineId, CancellationToken cancellationToken = default);

    [Get("/apps/{appName}/machines/{machineId}/metadata/{key}")]
    Task<MetadataValue> GetMetadataValueAsync(string appName, string machineId, string key, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/metadata/{key}")]
    Task SetMetadataValueAsync(string appName, string machineId, string key, [Body] MetadataValue value, CancellationToken cancellationToken = default);

    [Delete("/apps/{appName}/machines/{machineId}/metadata/{key}")]
    Task DeleteMetadataValueAsync(string appName, string machineId, string key, CancellationToken cancellationToken = default);

    /// <summary>Upserts and removes (null or empty value) several keys at once; 412 if <c>machine_version</c> no longer matches.</summary>
    [Patch("/apps/{appName}/machines/{machineId}/metadata")]
    Task UpdateMetadataAsync(string appName, string machineId, [Body] UpdateMetadataRequest request, CancellationToken cancellationToken = default);
}
