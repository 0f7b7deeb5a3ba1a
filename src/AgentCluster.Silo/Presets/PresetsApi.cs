using AgentCluster.Abstractions.Presets;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Presets;

/// <summary><c>GET /presets</c> and <c>GET /presets/{id}</c>: what a session can start from, behind the same API keys as the sessions.</summary>
public static class PresetsApi
{
    public static RouteGroupBuilder MapPresets(this IEndpointRouteBuilder routes)
    {
        var presets = routes.MapGroup("/presets").RequireAuthorization(ApiKeyAuthentication.Policy)
            .WithTags("Presets")
            .ProducesPublicApiProblems();

        presets.MapGet("", (PresetCatalog catalog) => TypedResults.Ok(new PresetList(catalog.All)))
            .WithName("ListPresets")
            .WithSummary("The presets a session can start from");

        presets.MapGet("/{id}", Results<Ok<Preset>, ProblemHttpResult> (string id, PresetCatalog catalog) =>
            catalog.Find(id) is { } preset
                ? TypedResults.Ok(preset)
                : TypedResults.Problem(
                    $"There is no preset '{id}'; the presets are: {string.Join(", ", catalog.Ids)}.",
                    statusCode: StatusCodes.Status404NotFound, title: "Preset not found"))
            .WithName("GetPreset")
            .WithSummary("One preset: runtime, model, prompt, tools, machine size, region, image and idle timeout")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return presets;
    }
}
