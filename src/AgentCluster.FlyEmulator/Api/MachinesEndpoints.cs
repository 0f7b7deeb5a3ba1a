using AgentCluster.Fly.Json;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;
using Microsoft.AspNetCore.Mvc;

namespace AgentCluster.FlyEmulator.Api;

internal static class MachinesEndpoints
{
    public static void MapMachines(this IEndpointRouteBuilder routes)
    {
        var machines = routes.MapGroup("/v1/apps/{app_name}/machines");
        var machine = machines.MapGroup("/{machine_id}");

        machines.MapGet("", (string app_name, HttpRequest request, EmulatorStore store) =>
        {
            var app = store.RequireApp(app_name);
            var query = request.Query;
            var includeDeleted = Bool(query, "include_deleted");
            var summary = Bool(query, "summary");
            var region = query["region"].ToString();
            var states = query["state"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet();
            var metadata = query.Where(q => q.Key.StartsWith("metadata.", StringComparison.Ordinal))
                .Select(q => (Key: q.Key["metadata.".Length..], Value: q.Value.ToString())).ToList();

            var list = new List<Machine>();
            foreach (var m in store.Machines(app))
            {
                lock (m.Sync)
                {
                    if (m.State == MachineStates.Destroyed && !includeDeleted) continue;
                    if (region.Length > 0 && m.Region != region) continue;
                    if (states.Count > 0 && !states.Contains(m.State)) continue;
                    if (metadata.Any(f => m.Config.Metadata?.GetValueOrDefault(f.Key) != f.Value)) continue;
                    list.Add(m.ToMachine(summary));
                }
            }
            return FlyResponses.Json(list);
        }).Action("machine.list");

        machines.MapPost("", async (string app_name, HttpContext context, EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            var app = store.RequireApp(app_name);
            var request = await FlyResponses.ReadBodyAsync<CreateMachineRequest>(context.Request, required: true);
            var created = lifecycle.Create(app, request!, context.Owner());
            lock (created.Sync)
                return FlyResponses.Json(created.ToMachine() with { Nonce = created.Lease?.Nonce });
        }).Action("machine.create");

        machine.MapGet("", (string app_name, string machine_id, EmulatorStore store) =>
            Snapshot(store.RequireMachine(app_name, machine_id))).Action("machine.get");

        machine.MapPost("", async (string app_name, string machine_id, HttpRequest request, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce,
            EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            var update = await FlyResponses.ReadBodyAsync<UpdateMachineRequest>(request, required: true);
            return FlyResponses.Json(lifecycle.Update(m, update!, nonce));
        }).Action("machine.update");

        machine.MapPost("/start", (string app_name, string machine_id, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce, EmulatorStore store, MachineLifecycle lifecycle) =>
            FlyResponses.Json(lifecycle.Start(store.RequireMachine(app_name, machine_id), nonce))).Action("machine.start");

        machine.MapPost("/stop", async (string app_name, string machine_id, HttpRequest request, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce,
            EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lifecycle.Stop(m, await FlyResponses.ReadBodyAsync<StopRequest>(request, required: false), nonce);
            return FlyResponses.Ok();
        }).Action("machine.stop");

        machine.MapPost("/suspend", (string app_name, string machine_id, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce, EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            lifecycle.Suspend(store.RequireMachine(app_name, machine_id), nonce);
            return FlyResponses.Ok();
        }).Action("machine.suspend");

        machine.MapPost("/restart", (string app_name, string machine_id, string? signal, string? timeout, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce,
            EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            TimeSpan? stopTimeout = null;
            if (!string.IsNullOrEmpty(timeout))
                stopTimeout = GoDuration.TryParse(timeout, out var parsed) ? parsed : throw FlyError.BadRequest($"invalid timeout '{timeout}'");
            lifecycle.Restart(store.RequireMachine(app_name, machine_id), signal, stopTimeout, nonce);
            return FlyResponses.Ok();
        }).Action("machine.restart");

        machine.MapPost("/signal", async (string app_name, string machine_id, HttpRequest request, EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            var body = await FlyResponses.ReadBodyAsync<SignalRequest>(request, required: true);
            lifecycle.Signal(m, body!.Signal ?? throw FlyError.BadRequest("signal is required"));
            return FlyResponses.Ok();
        }).Action("machine.signal");

        machine.MapPost("/cordon", (string app_name, string machine_id, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce, EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            lifecycle.Cordon(store.RequireMachine(app_name, machine_id), true, nonce);
            return FlyResponses.Ok();
        }).Action("machine.cordon");

        machine.MapPost("/uncordon", (string app_name, string machine_id, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce, EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            lifecycle.Cordon(store.RequireMachine(app_name, machine_id), false, nonce);
            return FlyResponses.Ok();
        }).Action("machine.uncordon");

        machine.MapPost("/exec", async (string app_name, string machine_id, HttpContext context, EmulatorStore store, MachineExecs execs) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            var request = await FlyResponses.ReadBodyAsync<MachineExecRequest>(context.Request, required: true);
            return FlyResponses.Json(await execs.RunAsync(m, request!, context.RequestAborted));
        }).Action("machine.exec");

        // Spec and docs say force=true; fly-go sends kill=true. Both mean: kill it if it runs.
        machine.MapDelete("", async (string app_name, string machine_id, HttpRequest request, [FromHeader(Name = FlyHeaders.LeaseNonce)] string? nonce,
            EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            await lifecycle.DestroyAsync(m, Bool(request.Query, "force") || Bool(request.Query, "kill"), nonce);
            return FlyResponses.Ok();
        }).Action("machine.destroy");

        machine.MapGet("/wait", async (string app_name, string machine_id, HttpRequest request, EmulatorStore store, MachineWaiter waiter) =>
        {
            var app = store.RequireApp(app_name);
            var query = request.Query;
            var states = query["state"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (states.Count == 0) states.Add(MachineStates.Started);
            if (states.FirstOrDefault(s => !MachineWaiter.WaitableStates.Contains(s)) is { } bad)
                throw FlyError.BadRequest($"invalid state '{bad}': must be one of {string.Join(", ", MachineWaiter.WaitableStates)}");
            var seconds = 60;
            if (query["timeout"].ToString() is { Length: > 0 } text && !int.TryParse(text, out seconds))
                throw FlyError.BadRequest($"invalid timeout '{text}': must be a number of seconds");
            var version = NonEmpty(query["version"]) ?? NonEmpty(query["instance_id"]);
            var answer = await waiter.WaitAsync(app, machine_id, states, version, NonEmpty(query["from_event_id"]),
                TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 60)), request.HttpContext.RequestAborted);
            return FlyResponses.Json(answer);
        }).Action("machine.wait");

        machine.MapGet("/events", (string app_name, string machine_id, int? limit, EmulatorStore store) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            var take = Math.Clamp(limit ?? 20, 1, 50);
            lock (m.Sync) return FlyResponses.Json(m.Events.Take(take).ToList());
        }).Action("machine.events");

        machine.MapGet("/versions", (string app_name, string machine_id, EmulatorStore store) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lock (m.Sync)
            {
                var versions = m.PastVersions.Append(new MachineVersion { Version = m.Version, UserConfig = m.Config }).Reverse().ToList();
                return FlyResponses.Json(versions);
            }
        }).Action("machine.versions");
    }

    private static IResult Snapshot(EmulatedMachine m)
    {
        lock (m.Sync) return FlyResponses.Json(m.ToMachine());
    }

    private static bool Bool(IQueryCollection query, string key) => query[key].ToString() is { Length: > 0 } v && (v == "1" || bool.TryParse(v, out var b) && b);

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } s ? s : null;
}
