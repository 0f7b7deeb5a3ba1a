using System.Security.Cryptography;
using System.Text;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>What every Machines API call passes through: a request id, Fly's error bodies, and the token check.</summary>
internal static class FlyMiddleware
{
    public const string OwnerItem = "fly.owner";

    public static IApplicationBuilder UseFlyRequestHandling(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.Headers["fly-request-id"] = FlyIds.Ulid(DateTimeOffset.UtcNow).ToLowerInvariant();
        try
        {
            if (context.Request.Path.StartsWithSegments("/v1") && !await AuthenticateAsync(context)) return;
            await next(context);
        }
        catch (FlyError e) when (!context.Response.HasStarted)
        {
            await FlyResponses.WriteErrorAsync(context, e);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await FlyResponses.WriteErrorAsync(context, FlyError.BadRequest(e.Message));
        }
    });

    private static async Task<bool> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ');
        var scheme = space > 0 ? header[..space] : "";
        var token = space > 0 ? header[(space + 1)..].Trim() : "";
        var expected = context.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value.ApiToken;
        var schemeOk = scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("FlyV1", StringComparison.Ordinal);
        if (!schemeOk || token.Length == 0 || (!string.IsNullOrEmpty(expected) && !FixedTimeEquals(token, expected)))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await FlyResponses.WriteErrorAsync(context, new FlyError(401, "unauthorized"));
            return false;
        }
        // A stable identity per token, in the shape of Fly's app-token owners; never the token itself.
        context.Items[OwnerItem] = $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12]}@tokens.fly.io";
        return true;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public static string Owner(this HttpContext context) => context.Items[OwnerItem] as string ?? "unknown@tokens.fly.io";
}
