using System.Security.Claims;
using System.Security.Cryptography;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// The caller's webhook subscriptions: made, listed, read, deleted. Behind the same API-key policy as <c>/sessions</c>;
/// another key's subscription is missing to a caller (404), as its sessions are.
/// </summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var webhooks = routes.MapGroup("/webhooks").RequireAuthorization(ApiKeyAuthentication.Policy)
            .WithTags("Webhooks")
            .ProducesPublicApiProblems();

        webhooks.MapPost("", async (CreateWebhookRequest request, ClaimsPrincipal caller, IGrainFactory grains, WebhookTargets targets,
            WebhookSecrets secrets, IOptions<WebhookOptions> options, CancellationToken cancellationToken) =>
        {
            var owner = caller.Owner();
            var events = WebhookTargets.CheckEvents(request.Events);
            var url = await targets.CheckAsync(request.Url, cancellationToken);
            var id = "whk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            var secret = WebhookSigner.NewSecret();
            // Listed first: the owner's limit is checked before anything is made, and a subscription is never unlisted.
            await grains.GetGrain<IWebhookOwnerGrain>(owner).AddAsync(id, events, options.Value.MaxPerOwner);
            var view = await grains.GetGrain<IWebhookGrain>(id).CreateAsync(owner, url, events, secrets.Protect(secret));
            return TypedResults.Created($"/webhooks/{id}", Public(view) with { Secret = secret });
        })
            .WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to session events; the answer holds the signing secret, shown only this once")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems();

        webhooks.MapGet("", async (ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var owner = caller.Owner();
            var ids = await grains.GetGrain<IWebhookOwnerGrain>(owner).ListAsync();
            var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IWebhookGrain>(id).GetAsync()));
            return TypedResults.Ok(new WebhookList(views.OfType<WebhookView>().Where(v => v.Owner == owner).Select(Public).ToList()));
        })
            .WithName("ListWebhooks")
            .WithSummary("The caller's webhook subscriptions and how their deliveries go");

        webhooks.MapGet("/{id}", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
            TypedResults.Ok(Public(await OwnedAsync(grains, id, caller.Owner()))))
            .WithName("GetWebhook")
            .WithSummary("One webhook subscription: its URL, events, pending deliveries and last error")
            .ProducesProblem(StatusCodes.Status404NotFound);

        webhooks.MapDelete("/{id}", async (string id, ClaimsPrincipal caller, IGrainFactory grains) =>
        {
            var owner = caller.Owner();
            await OwnedAsync(grains, id, owner);
            await grains.GetGrain<IWebhookOwnerGrain>(owner).RemoveAsync(id);
            await grains.GetGrain<IWebhookGrain>(id).DeleteAsync();
            return TypedResults.NoContent();
        })
            .WithName("DeleteWebhook")
            .WithSummary("Delete the subscription; what it has queued is not delivered")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return webhooks;
    }

    private static async Task<WebhookView> OwnedAsync(IGrainFactory grains, string id, string owner) =>
        id.StartsWith("whk_", StringComparison.Ordinal) && await grains.GetGrain<IWebhookGrain>(id).GetAsync() is { } view && view.Owner == owner
            ? view
            : throw new SessionException(SessionErrorKind.NotFound, $"There is no webhook '{id}'.");

    /// <summary>What a caller sees: not the owner field (it is the caller).</summary>
    private static WebhookView Public(WebhookView view) => view with { Owner = null };
}
