using AgentCluster.Silo.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentCluster.Silo.Presets;

/// <summary><c>GET /presets</c> and <c>GET /presets/{id}</c>: what a session can start from, behind the same API keys as the sessions.</summary>
public static class PresetsApi
{
    public static RouteGroupBuilder MapPresets(this IEndpointRouteBuilder routes)
    {
        var presets = routes.MapGroup("/presets").RequireAuthorization(ApiKeyAuthentication.Policy);

        presets.MapGet("", (PresetCatalog catalog) => TypedResults.Ok(new PresetList(catalog.All)));

        presets.MapGet("/{id}", Results<Ok<Preset>, ProblemHttpResult> (string id, PresetCatalog catalog) =>
            catalog.Find(id) is { } preset
                ? TypedResults.Ok(preset)
                : TypedResults.Problem(
                    $"There is no preset '{id}'; the presets are: {string.Join(", ", catalog.Ids)}.",
                    statusCode: StatusCodes.Status404NotFound, title: "Preset not found"));

        return presets;
    }
}

public sealed record PresetList(IReadOnlyList<Preset> Presets);
