using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>
/// Emulator-only endpoints under <c>/_emulator</c> (not part of Fly's API): switch realism on and off while
/// running, crash a machine, and see the local process behind a machine.
/// </summary>
internal static class ControlEndpoints
{
    public static void MapEmulatorControl(this IEndpointRouteBuilder routes)
    {
        var control = routes.MapGroup("/_emulator");

        control.MapGet("/faults", (EmulatorRuntime runtime) => FlyResponses.Json(runtime.Faults));
        control.MapGet("/faults/injected", (EmulatorRuntime runtime) => FlyResponses.Json(runtime.Injected));
        control.MapPut("/faults", async (HttpRequest request, EmulatorRuntime runtime) =>
        {
            var rules = await FlyResponses.ReadBodyAsync<List<FaultRule>>(request, required: true);
            if (rules!.SelectMany(r => r.Validate()).FirstOrDefault() is { } problem) throw FlyError.BadRequest(problem);
            runtime.Faults = rules!;
            return Results.NoContent();
        });

        control.MapGet("/requests", (EmulatorRuntime runtime) => FlyResponses.Json(runtime.Journal));

        control.MapGet("/rate-limits", (EmulatorRuntime runtime) => FlyResponses.Json(new RateLimitSwitch(runtime.RateLimits)));
        control.MapPut("/rate-limits", async (HttpRequest request, EmulatorRuntime runtime) =>
        {
            runtime.RateLimits = (await FlyResponses.ReadBodyAsync<RateLimitSwitch>(request, required: true))!.Enabled;
            return Results.NoContent();
        });

        control.MapPost("/apps/{app_name}/machines/{machine_id}/crash", (string app_name, string machine_id, EmulatorStore store, MachineLifecycle lifecycle) =>
        {
            lifecycle.Crash(store.RequireMachine(app_name, machine_id));
            return Results.NoContent();
        });

        control.MapGet("/apps/{app_name}/machines/{machine_id}/process", (string app_name, string machine_id, EmulatorStore store) =>
        {
            var m = store.RequireMachine(app_name, machine_id);
            lock (m.Sync)
                return FlyResponses.Json(new MachineProcessInfo(m.Process?.Pid, m.RootfsDirectory, m.LogPath));
        });
    }

    internal sealed record RateLimitSwitch(bool Enabled);

    internal sealed record MachineProcessInfo(int? Pid, string Rootfs, string LogPath);
}
