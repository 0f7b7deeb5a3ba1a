using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>The Volumes API (spec tag "Volumes", without snapshots): a volume is a folder that machines mount.</summary>
internal static class VolumesEndpoints
{
    public static void MapVolumes(this IEndpointRouteBuilder routes)
    {
        var volumes = routes.MapGroup("/v1/apps/{app_name}/volumes");
        var volume = volumes.MapGroup("/{volume_id}");

        volumes.MapGet("", (string app_name, bool? summary, EmulatorStore store, VolumeLifecycle lifecycle) =>
            FlyResponses.Json(lifecycle.List(store.RequireApp(app_name), summary == true))).Action("volume.list");

        volumes.MapPost("", async (string app_name, HttpRequest request, EmulatorStore store, VolumeLifecycle lifecycle) =>
        {
            var app = store.RequireApp(app_name);
            var body = await FlyResponses.ReadBodyAsync<CreateVolumeRequest>(request, required: true);
            return FlyResponses.Json(lifecycle.Create(app, body!));
        }).Action("volume.create");

        volume.MapGet("", (string app_name, string volume_id, EmulatorStore store, VolumeLifecycle lifecycle) =>
            FlyResponses.Json(lifecycle.Get(store.RequireVolume(app_name, volume_id)))).Action("volume.get");

        volume.MapPut("", async (string app_name, string volume_id, HttpRequest request, EmulatorStore store, VolumeLifecycle lifecycle) =>
        {
            var v = store.RequireVolume(app_name, volume_id);
            var body = await FlyResponses.ReadBodyAsync<UpdateVolumeRequest>(request, required: true);
            return FlyResponses.Json(lifecycle.Update(v, body!));
        }).Action("volume.update");

        volume.MapPut("/extend", async (string app_name, string volume_id, HttpRequest request, EmulatorStore store, VolumeLifecycle lifecycle) =>
        {
            var v = store.RequireVolume(app_name, volume_id);
            var body = await FlyResponses.ReadBodyAsync<ExtendVolumeRequest>(request, required: true);
            return FlyResponses.Json(lifecycle.Extend(v, body!.SizeGb));
        }).Action("volume.extend");

        volume.MapDelete("", (string app_name, string volume_id, EmulatorStore store, VolumeLifecycle lifecycle) =>
        {
            var app = store.RequireApp(app_name);
            return FlyResponses.Json(lifecycle.Delete(app, store.RequireVolume(app_name, volume_id)));
        }).Action("volume.destroy");
    }
}
