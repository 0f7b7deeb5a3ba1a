using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>Metadata lives in <c>config.metadata</c>; changing it mints no version and needs no lease.</summary>
internal static class MetadataEndpoints
{
    public static void MapMetadata(this IEndpointRouteBuilder routes)
    {
        var metadata = routes.MapGroup("/v1/apps/{app_name}/machines/{machine_id}/metadata");

        metadata.MapGet("", (string app_name, string machine_id, EmulatorStore store) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lock (m.Sync) return FlyResponses.Json(m.Config.Metadata ?? []);
        }).Action("metadata.get");

        metadata.MapGet("/{key}", (string app_name, string machine_id, string key, EmulatorStore store) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lock (m.Sync)
                return m.Config.Metadata?.TryGetValue(key, out var value) == true
                    ? FlyResponses.Json(new MetadataValue { Value = value })
                    : throw new FlyError(404, "metadata key not found");
        }).Action("metadata.get");

        metadata.MapPost("/{key}", async (string app_name, string machine_id, string key, HttpRequest request, EmulatorStore store, TimeProvider time) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            var body = await FlyResponses.ReadBodyAsync<MetadataValue>(request, required: true);
            if (body!.Value is null) throw FlyError.BadRequest("value is required");
            Change(m, time, values => values[key] = body.Value);
            return Results.NoContent();
        }).Action("metadata.set");

        metadata.MapDelete("/{key}", (string app_name, string machine_id, string key, EmulatorStore store, TimeProvider time) =>
        {
            Change(store.RequireMachine(app_name, machine_id), time, values => values.Remove(key));
            return Results.NoContent();
        }).Action("metadata.delete");

        async Task<IResult> Update(string app_name, string machine_id, HttpRequest request, EmulatorStore store, TimeProvider time)
        {
            var m = store.RequireMachine(app_name, machine_id);
            var body = await FlyResponses.ReadBodyAsync<UpdateMetadataRequest>(request, required: true);
            Change(m, time, values =>
            {
                if (body!.MachineVersion is { Length: > 0 } expected && expected != m.Version)
                    throw FlyError.FailedPrecondition($"machine version {expected} does not match current version {m.Version}");
                foreach (var (key, value) in body.Metadata ?? [])
                    if (string.IsNullOrEmpty(value)) values.Remove(key);
                    else values[key] = value;
            });
            return Results.NoContent();
        }
        metadata.MapPut("", Update).Action("metadata.update");
        metadata.MapPatch("", Update).Action("metadata.update");
    }

    private static void Change(EmulatedMachine m, TimeProvider time, Action<Dictionary<string, string>> change)
    {
        lock (m.Sync)
        {
            var values = new Dictionary<string, string>(m.Config.Metadata ?? []);
            change(values);
            m.Config = m.Config with { Metadata = values };
            m.SetState(m.State, time.GetUtcNow());
        }
    }
}
