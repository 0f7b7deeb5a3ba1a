using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace AgentCluster.Fly.Api;

/// <summary>
/// Adds the token on every attempt. Macaroon tokens ("FlyV1 fm2_…") go as their own scheme, as fly-go
/// sends them; anything else is a bearer token.
/// </summary>
internal sealed class FlyAuthHandler(IOptionsMonitor<FlyOptions> options) : DelegatingHandler
{
    private const string MacaroonScheme = "FlyV1";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = options.CurrentValue.ApiToken?.Trim();
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = token.StartsWith(MacaroonScheme + " ", StringComparison.Ordinal)
                ? new AuthenticationHeaderValue(MacaroonScheme, token[(MacaroonScheme.Length + 1)..])
                : new AuthenticationHeaderValue("Bearer", token);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
