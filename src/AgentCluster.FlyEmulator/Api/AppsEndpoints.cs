using System.Text.RegularExpressions;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Api;

internal static partial class AppsEndpoints
{
    public static void MapApps(this IEndpointRouteBuilder routes)
    {
        var apps = routes.MapGroup("/v1/apps");

        apps.MapPost("", async (HttpRequest request, EmulatorStore store, IOptions<EmulatorOptions> options) =>
        {
            var body = await FlyResponses.ReadBodyAsync<CreateAppRequest>(request, required: true);
            var name = body!.Name ?? body.LegacyAppName;
            if (string.IsNullOrWhiteSpace(name)) throw FlyError.BadRequest("app name is required");
            if (!AppName().IsMatch(name))
                throw new FlyError(422, "app name may contain only lowercase letters, numbers and dashes, and must start with a letter or number");
            if (string.IsNullOrWhiteSpace(body.OrgSlug)) throw FlyError.BadRequest("org_slug is required");
            var app = new EmulatedApp(FlyIds.AppId(), name, body.OrgSlug == "personal" ? options.Value.OrgSlug : body.OrgSlug, body.Network ?? "default");
            if (!store.TryAddApp(app)) throw new FlyError(422, "Name has already been taken", errorStatus: "name_taken");
            return FlyResponses.Json(app.ToApp(0), StatusCodes.Status201Created);
        }).Action("app.create");

        apps.MapGet("", (string? org_slug, EmulatorStore store) =>
        {
            if (string.IsNullOrWhiteSpace(org_slug)) throw FlyError.BadRequest("org_slug is required");
            var list = store.Apps.Where(a => a.OrgSlug == org_slug || org_slug == "personal").Select(a => a.ToApp(store.Machines(a).Count())).ToList();
            return FlyResponses.Json(new ListAppsResponse { TotalApps = list.Count, Apps = list });
        }).Action("app.list");

        apps.MapGet("/{app_name}", (string app_name, EmulatorStore store) =>
        {
            var app = store.RequireApp(app_name);
            return FlyResponses.Json(app.ToApp(store.Machines(app).Count(m => m.DestroyedAt is null)));
        }).Action("app.get");

        apps.MapDelete("/{app_name}", async (string app_name, bool? force, EmulatorStore store, MachineLifecycle lifecycle, VolumeLifecycle volumes) =>
        {
            var app = store.RequireApp(app_name);
            var live = store.Machines(app).Where(m => m.DestroyedAt is null).ToList();
            if (live.Count > 0 && force != true && live.Any(m => m.State == MachineStates.Started))
                throw FlyError.FailedPrecondition("app has running machines; stop them first or use force=true");
            foreach (var machine in live) await lifecycle.DestroyAsync(machine, force: true, nonce: null, checkLease: false);
            volumes.DeleteAll(app);
            store.TryRemoveApp(app_name);
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }).Action("app.delete");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex AppName();
}
