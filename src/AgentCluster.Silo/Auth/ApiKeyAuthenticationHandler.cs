using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using AgentCluster.Silo.Grains;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;API key&gt;</c> on the public API. The key is hashed and compared with every
/// configured hash in constant time (the same scheme as agent tokens, <see cref="SessionTokens"/>), so
/// neither the comparison nor the position of the match tells an attacker anything. The principal's name is
/// the key's name: the owner of the sessions it creates. With no keys configured (a loopback-only node, see
/// <see cref="ListenAddresses"/>) every caller is <see cref="ApiKeyOptions.LocalOwner"/>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> scheme,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(scheme, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.Value.Enabled) return Task.FromResult(Success(ApiKeyOptions.LocalOwner));
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrWhiteSpace(value.Parameter))
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must be 'Bearer <API key>'."));

        // Every hash is compared, whichever matches, so the time taken does not depend on which key it was.
        string? owner = null;
        foreach (var (name, hash) in keys.Value.Hashes())
            if (SessionTokens.Matches(value.Parameter, hash)) owner = name;
        return Task.FromResult(owner is null ? AuthenticateResult.Fail("The API key is not valid.") : Success(owner));
    }

    /// <summary>401 as a ProblemDetails saying what is wrong, with the RFC 6750 challenge.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = result.Failure?.Message ?? "This API needs an API key: 'Authorization: Bearer <API key>'.",
            },
        });
    }

    private AuthenticateResult Success(string owner) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, owner)], SchemeName)), SchemeName));
}
