using AgentCluster.Fly.Models;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>Machines of an app: create, look up, and drive through Fly's state machine.</summary>
public interface IFlyMachinesApi
{
    /// <summary>
    /// Lists an app's machines. <paramref name="state"/> is comma-separated (created,started,stopped,suspended);
    /// destroyed machines only with <paramref name="includeDeleted"/>.
    /// </summary>
    [Get("/apps/{appName}/machines")]
    Task<List<Machine>> ListMachinesAsync(
        string appName,
        [AliasAs("include_deleted")] bool? includeDeleted = null,
        string? region = null,
        string? state = null,
        bool? summary = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The app's machines whose metadata has <paramref name="key"/> = <paramref name="value"/> (Fly's <c>metadata.{key}=value</c>
    /// filter; the key goes in the path of the query, so it is part of the URL template).
    /// </summary>
    [Get("/apps/{appName}/machines?metadata.{key}={value}")]
    Task<List<Machine>> ListMachinesByMetadataAsync(string appName, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Not idempotent and never retried blindly: a 408 or 5xx may still have created the machine, so callers
    /// look it up by name or metadata before creating again.
    /// </summary>
    [Post("/apps/{appName}/machines")]
    Task<Machine> CreateMachineAsync(string appName, [Body] CreateMachineRequest request, CancellationToken cancellationToken = default);

    [Get("/apps/{appName}/machines/{machineId}")]
    Task<Machine> GetMachineAsync(string appName, string machineId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the whole config and mints a new version.</summary>
    [Post("/apps/{appName}/machines/{machineId}")]
    Task<Machine> UpdateMachineAsync(
        string appName, string machineId, [Body] UpdateMachineRequest request,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/start")]
    Task<StartMachineResponse> StartMachineAsync(
        string appName, string machineId,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/stop")]
    Task<OkResponse> StopMachineAsync(
        string appName, string machineId, [Body] StopRequest request,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/suspend")]
    Task<OkResponse> SuspendMachineAsync(
        string appName, string machineId,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    /// <summary><paramref name="timeout"/> is a Go duration ("10s") before the old process is killed.</summary>
    [Post("/apps/{appName}/machines/{machineId}/restart")]
    Task<OkResponse> RestartMachineAsync(
        string appName, string machineId, string? signal = null, string? timeout = null,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/signal")]
    Task<OkResponse> SignalMachineAsync(string appName, string machineId, [Body] SignalRequest request, CancellationToken cancellationToken = default);

    /// <summary>Destroys the machine; a started machine needs <paramref name="force"/> (else 412).</summary>
    [Delete("/apps/{appName}/machines/{machineId}")]
    Task<OkResponse> DestroyMachineAsync(
        string appName, string machineId, bool? force = null,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/cordon")]
    Task<OkResponse> CordonMachineAsync(
        string appName, string machineId,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    [Post("/apps/{appName}/machines/{machineId}/uncordon")]
    Task<OkResponse> UncordonMachineAsync(
        string appName, string machineId,
        [Header(FlyHeaders.LeaseNonce)] string? leaseNonce = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a command in the started machine and answers once it ended (200 whatever its exit code; 412 for a machine
    /// that is not started). Never retried on a 5xx (the command may have run); the call lasts as long as the command,
    /// so it is allowed up to <see cref="FlyExecCalls.LongestCall"/> rather than the client's usual attempt timeout.
    /// </summary>
    [Post("/apps/{appName}/machines/{machineId}/exec")]
    Task<MachineExecResponse> ExecMachineAsync(string appName, string machineId, [Body] MachineExecRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// One blocking wait of at most 60 s (Fly clamps <paramref name="timeout"/> seconds to [1, 60]); any of the
    /// <paramref name="state"/>s satisfies it. 408 when the deadline passes. For longer waits use
    /// <see cref="FlyMachinesApiExtensions.WaitForStateAsync"/>.
    /// </summary>
    [Get("/apps/{appName}/machines/{machineId}/wait")]
    Task<WaitMachineResponse> WaitMachineAsync(
        string appName, string machineId,
        [Query(CollectionFormat.Multi)] string[] state,
        int? timeout = null,
        string? version = null,
        [AliasAs("from_event_id")] string? fromEventId = null,
        CancellationToken cancellationToken = default);

    /// <summary>Newest first; <paramref name="limit"/> defaults to 20, at most 50.</summary>
    [Get("/apps/{appName}/machines/{machineId}/events")]
    Task<List<MachineEvent>> ListMachineEventsAsync(string appName, string machineId, int? limit = null, CancellationToken cancellationToken = default);

    [Get("/apps/{appName}/machines/{machineId}/versions")]
    Task<List<MachineVersion>> ListMachineVersionsAsync(string appName, string machineId, CancellationToken cancellationToken = default);
}
