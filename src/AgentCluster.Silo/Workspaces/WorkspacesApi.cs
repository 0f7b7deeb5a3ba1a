using System.Security.Claims;
using AgentCluster.Abstractions.Workspaces;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

/// <summary>
/// The caller's workspaces: listed, read, deleted (with their data). Behind the same API-key policy as
/// <c>/sessions</c>; a caller sees only the workspaces of its own key. Sessions create them, by naming them.
/// </summary>
public static class WorkspacesApi
{
    public static RouteGroupBuilder MapWorkspaces(this IEndpointRouteBuilder routes)
    {
        var workspaces = routes.MapGroup("/workspaces").RequireAuthorization(ApiKeyAuthentication.Policy)
            .WithTags("Workspaces")
            .ProducesPublicApiProblems();

        workspaces.MapGet("", async (ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var owner = caller.Owner();
            var names = await grains.GetGrain<IWorkspaceDirectoryGrain>(owner).ListAsync();
            var views = await Task.WhenAll(names.Select(name => Workspace(grains, owner, name).GetAsync()));
            return TypedResults.Ok(new WorkspaceList(views.OfType<WorkspaceView>().ToList()));
        })
            .WithName("ListWorkspaces")
            .WithSummary("The caller's workspaces");

        workspaces.MapGet("/{name}", async (string name, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok(await Workspace(grains, caller.Owner(), WorkspaceNames.Check(name)).GetAsync()
                ?? throw WorkspaceGrain.NotFound(name)))
            .WithName("GetWorkspace")
            .WithSummary("One workspace: its volume, region, size and the session using it")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        workspaces.MapDelete("/{name}", async (string name, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok(await Workspace(grains, caller.Owner(), WorkspaceNames.Check(name)).DeleteAsync()))
            .WithName("DeleteWorkspace")
            .WithSummary("Destroy the workspace's volume and its data; 409 while a live session uses it")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesMachineProviderProblems();

        return workspaces;
    }

    /// <summary>Keyed by the caller's own name: another owner's workspace of the same name is another workspace.</summary>
    private static IWorkspaceGrain Workspace(IGrainFactory grains, string owner, string name) =>
        grains.GetGrain<IWorkspaceGrain>(WorkspaceNames.Key(owner, name));
}
