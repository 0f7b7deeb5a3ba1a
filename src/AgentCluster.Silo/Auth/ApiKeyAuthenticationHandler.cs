using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;API key&gt;</c> on the public API. The key is hashed and compared with every
/// configured hash in constant time (the same scheme as agent tokens, <see cref="SessionTokens"/>), so
/// neither the comparison nor the position of the match tells an attacker anything. The principal's name is
/// the key's name: the owner of the sessions it creates; keys named in <c>Auth:Operators</c> also carry the
/// operator role. With no keys configured (a loopback-only node, see <see cref="ListenAddresses"/>) every
/// caller is <see cref="ApiKeyOptions.LocalOwner"/>, an operator too. On the paths of
/// <see cref="ApiKeySchemeOptions.BasicPaths"/> (pages for browsers) the key may come as HTTP Basic, the user
/// being the key's name. Credentials are never logged: failures say what is wrong, not what was sent.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeySchemeOptions> scheme,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ApiKeyOptions> keys,
    IProblemDetailsService problems) : AuthenticationHandler<ApiKeySchemeOptions>(scheme, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    private const string BasicChallenge = "Basic realm=\"AgentCluster\", charset=\"UTF-8\"";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!keys.Value.Enabled) return Task.FromResult(Success(ApiKeyOptions.LocalOwner));
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrWhiteSpace(value.Parameter))
            return Task.FromResult(AuthenticateResult.Fail(Expected));
        if (value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(OwnerOf(value.Parameter) is { } owner ? Success(owner) : AuthenticateResult.Fail("The API key is not valid."));
        if (value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Options.AcceptsBasic(Request.Path))
            return Task.FromResult(Basic(value.Parameter));
        return Task.FromResult(AuthenticateResult.Fail(Expected));
    }

    private string Expected => Options.AcceptsBasic(Request.Path)
        ? "The Authorization header must be 'Bearer <API key>' or Basic with the key's name as user and the key as password."
        : "The Authorization header must be 'Bearer <API key>'.";

    /// <summary>Basic <c>name:key</c>: the key must be valid and be the one configured under that name.</summary>
    private AuthenticateResult Basic(string parameter)
    {
        string credentials;
        try { credentials = Encoding.UTF8.GetString(Convert.FromBase64String(parameter)); }
        catch (FormatException) { return AuthenticateResult.Fail(Expected); }
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == credentials.Length - 1) return AuthenticateResult.Fail(Expected);
        var (name, key) = (credentials[..colon], credentials[(colon + 1)..]);
        return OwnerOf(key) is { } owner && owner == name ? Success(owner) : AuthenticateResult.Fail("The key name or API key is not valid.");
    }

    /// <summary>Every hash is compared, whichever matches, so the time taken does not depend on which key it was.</summary>
    private string? OwnerOf(string key)
    {
        string? owner = null;
        foreach (var (name, hash) in keys.Value.Hashes())
            if (SessionTokens.Matches(key, hash)) owner = name;
        return owner;
    }

    /// <summary>401 as a ProblemDetails saying what is wrong, with the RFC 6750 challenge (and Basic's, for a browser, where it counts).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        string bearer = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        Response.Headers.WWWAuthenticate = Options.AcceptsBasic(Request.Path) ? new StringValues([BasicChallenge, bearer]) : bearer;
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            result.Failure?.Message ?? "This API needs an API key: 'Authorization: Bearer <API key>'.");
    }

    /// <summary>403 as a ProblemDetails: a valid key without the right (an operator's) to this endpoint.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            "This key may not use this endpoint: only the keys named in Auth:Operators may.");
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();

    private AuthenticateResult Success(string owner)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, owner)], SchemeName);
        if (keys.Value.IsOperator(owner)) identity.AddClaim(new Claim(ClaimTypes.Role, ApiKeyAuthentication.OperatorRole));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
