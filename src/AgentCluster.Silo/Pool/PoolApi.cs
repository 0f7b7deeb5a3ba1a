using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Cost;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Pool;

/// <summary>
/// <c>GET /pool</c> for operators, and the pool machines' side of the agent protocol: an agent waiting in the pool
/// asks which session claimed its machine (<see cref="AgentProtocol.PoolClaimPath"/>) and gets that session's token.
/// </summary>
public static class PoolApi
{
    public static IEndpointRouteBuilder MapPool(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/pool", async (PoolShapes shapes, IGrainFactory grains, IOptions<PricingOptions> prices) =>
        {
            var pools = await Task.WhenAll(shapes.All.Select(p => grains.GetGrain<IMachinePoolGrain>(p.Name).StatusAsync()));
            return TypedResults.Ok(new PoolView(pools.Select(p => PoolShapeView.Of(p, prices.Value.IdlePerHour)).ToList()));
        })
        .RequireAuthorization(Auth.ApiKeyAuthentication.OperatorPolicy) // what the fleet costs is the operators' business
        .WithTags("Pool")
        .WithName("GetPool")
        .WithSummary("The pools of ready machines: per shape, its target, how many are ready and starting, and how many sessions claimed one.");

        routes.MapGet("/agent/pools/{pool}/machines/{machine}/claim", (string pool, string machine, double? wait, HttpContext context, IGrainFactory grains, NodeDrain drain) =>
            AgentApi.HoldPollAsync(context, drain, wait, async (token, held, ct) =>
                await grains.GetGrain<IMachinePoolGrain>(pool).WaitForClaimAsync(machine, token, held, ct) is { } session
                    ? TypedResults.Ok(await grains.GetGrain<ISessionCreateGrain>(session).HandOverAsync(machine))
                    : null))
        .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(1024))
        .ExcludeFromDescription();
        return routes;
    }
}

/// <summary><c>GET /pool</c>'s answer.</summary>
public sealed record PoolView(IReadOnlyList<PoolShapeView> Shapes);

/// <param name="IdleUsdPerHour">
/// What the ready machines cost an hour while they wait, by the price table: their root file systems only (a stopped or
/// suspended machine bills no CPU or memory; Fly may bill a suspended machine's memory snapshot too, not counted here).
/// </param>
public sealed record PoolShapeView(
    string Name, string Image, string Guest, string Region, int Target, int Ready, int Starting, long ClaimedTotal, decimal IdleUsdPerHour)
{
    public static PoolShapeView Of(PoolStatus pool, decimal idlePerHour) =>
        new(pool.Name, pool.Image, $"{Cost.GuestSizes.Name(pool.Guest)} {pool.Guest.MemoryMb} MB", pool.Region, pool.Target, pool.Ready, pool.Starting,
            pool.ClaimedTotal, Math.Round(pool.Ready * idlePerHour, 6));
}
