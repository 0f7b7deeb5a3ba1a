using AgentCluster.Fly.Models;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>Machine leases: an exclusive lock on a machine's mutations, proven with its nonce.</summary>
public interface IFlyLeasesApi
{
    /// <summary>409 (<see cref="FlyErrorKind.LeaseConflict"/>) while someone else holds it.</summary>
    [Post("/apps/{appName}/machines/{machineId}/lease")]
    Task<FlyEnvelope<Lease>> AcquireLeaseAsync(string appName, string machineId, [Body] CreateLeaseRequest request, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease held with <paramref name="leaseNonce"/>; the nonce stays the same.</summary>
    [Post("/apps/{appName}/machines/{machineId}/lease")]
    Task<FlyEnvelope<Lease>> RefreshLeaseAsync(
        string appName, string machineId, [Header(FlyHeaders.LeaseNonce)] string leaseNonce,
        [Body] CreateLeaseRequest request, CancellationToken cancellationToken = default);

    [Get("/apps/{appName}/machines/{machineId}/lease")]
    Task<FlyEnvelope<Lease>> GetLeaseAsync(string appName, string machineId, CancellationToken cancellationToken = default);

    [Delete("/apps/{appName}/machines/{machineId}/lease")]
    Task ReleaseLeaseAsync(string appName, string machineId, [Header(FlyHeaders.LeaseNonce)] string leaseNonce, CancellationToken cancellationToken = default);
}
