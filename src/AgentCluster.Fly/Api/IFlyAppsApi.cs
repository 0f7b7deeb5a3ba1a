using AgentCluster.Fly.Models;
using Refit;

namespace AgentCluster.Fly.Api;

/// <summary>Apps of the Machines API (paths relative to <c>…/v1</c>).</summary>
public interface IFlyAppsApi
{
    /// <summary>201 on success. The body is not relied on: the spec documents none; read the app back with <see cref="GetAppAsync"/>.</summary>
    [Post("/apps")]
    Task CreateAppAsync([Body] CreateAppRequest request, CancellationToken cancellationToken = default);

    [Get("/apps/{appName}")]
    Task<App> GetAppAsync(string appName, CancellationToken cancellationToken = default);

    [Get("/apps")]
    Task<ListAppsResponse> ListAppsAsync([AliasAs("org_slug")] string orgSlug, CancellationToken cancellationToken = default);

    /// <summary>202 on success; <paramref name="force"/> stops the app's machines first.</summary>
    [Delete("/apps/{appName}")]
    Task DeleteAppAsync(string appName, bool? force = null, CancellationToken cancellationToken = default);
}
