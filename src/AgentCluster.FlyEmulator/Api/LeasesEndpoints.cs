using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;
using Microsoft.AspNetCore.Mvc;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>Leases answer in Fly's envelope, <c>{"status":"success","data":…}</c>.</summary>
internal static class LeasesEndpoints
{
    public static void MapLeases(this IEndpointRouteBuilder routes)
    {
        var lease = routes.MapGroup("/v1/apps/{app_name}/machines/{machine_id}/lease");

        // fly-go sends ?ttl= and no body; the spec sends {"ttl","description"}. A nonce header means refresh.
        lease.MapPost("", async (string app_name, string machine_id, int? ttl, HttpContext context, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce,
            EmulatorStore store, MachineLeases leases) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            var body = await FlyResponses.ReadBodyAsync<CreateLeaseRequest>(context.Request, required: false);
            var seconds = ttl ?? body?.Ttl;
            lock (m.Sync)
            {
                var granted = leases.AcquireOrRefresh(m, seconds is { } s ? TimeSpan.FromSeconds(s) : null, body?.Description, nonce, context.Owner());
                return FlyResponses.Envelope(granted.ToLease(), StatusCodes.Status201Created);
            }
        }).Action("lease.acquire");

        lease.MapGet("", (string app_name, string machine_id, EmulatorStore store, MachineLeases leases) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lock (m.Sync)
                return leases.Get(m) is { } current
                    ? FlyResponses.Envelope(current.ToLease())
                    : throw new FlyError(404, "no lease found", envelope: true);
        }).Action("lease.get");

        lease.MapDelete("", (string app_name, string machine_id, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce, EmulatorStore store, MachineLeases leases) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lock (m.Sync) leases.Release(m, nonce);
            return FlyResponses.Envelope(new { ok = true });
        }).Action("lease.release");
    }
}
