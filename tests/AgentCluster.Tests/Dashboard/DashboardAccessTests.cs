using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Security;

namespace AgentCluster.Tests.Dashboard;

/// <summary>
/// The Orleans Dashboard on a node with API keys is for operators only: the keys named in Auth:Operators get the
/// page and the JSON it polls, by bearer header or by HTTP Basic as a browser sends it; other keys 403; no key
/// 401 with a Basic challenge, so a browser asks. Basic counts nowhere else.
/// </summary>
public sealed class DashboardAccessTests : IAsyncLifetime
{
    /// <summary>The page, a script it loads, and JSON it polls: every route under the prefix is guarded alike.</summary>
    private static readonly string[] Paths = ["/dashboard/", "/dashboard/index.min.js", "/dashboard/version", "/dashboard/DashboardCounters", "/dashboard/ClusterStats"];

    private readonly string opsKey = ApiKeys.New();
    private readonly string teamKey = ApiKeys.New();
    private NodeHost node = null!;

    public async Task InitializeAsync() => node = await NodeHost.StartAsync(new Dictionary<string, string>
    {
        ["Auth__ApiKeys__ops"] = ApiKeys.Sha256Hex(opsKey),
        ["Auth__ApiKeys__team-a"] = ApiKeys.Sha256Hex(teamKey),
        ["Auth__Operators"] = "ops",
    });

    public async Task DisposeAsync() => await node.DisposeAsync();

    [Fact]
    public async Task Without_a_key_it_is_a_401_that_asks_the_browser_for_Basic_credentials()
    {
        foreach (var path in Paths)
        {
            using var response = await node.Http.GetAsync(path);
            await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "API key");
            Assert.Contains(response.Headers.WwwAuthenticate, c => c.Scheme == "Basic");
        }
    }

    [Fact]
    public async Task An_operator_key_opens_it_by_bearer_header_or_by_Basic()
    {
        foreach (var authorization in new[] { new AuthenticationHeaderValue("Bearer", opsKey), Basic("ops", opsKey) })
            foreach (var path in Paths)
            {
                using var response = await SendAsync(path, authorization);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{authorization.Scheme} {path}: {(int)response.StatusCode}");
            }
        using var version = await SendAsync("/dashboard/version", Basic("ops", opsKey));
        Assert.Equal("application/json", version.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_key_that_is_no_operator_gets_a_403()
    {
        foreach (var authorization in new[] { new AuthenticationHeaderValue("Bearer", teamKey), Basic("team-a", teamKey) })
            foreach (var path in Paths)
                await Problems.AssertAsync(await SendAsync(path, authorization), HttpStatusCode.Forbidden, "Auth:Operators");
    }

    [Theory]
    [InlineData("team-a", true)]  // the operator's key under another name
    [InlineData("ops", false)]    // the operator's name with a wrong key
    public async Task Basic_credentials_must_be_a_key_under_its_own_name(string user, bool operatorsKey)
    {
        using var response = await SendAsync("/dashboard/", Basic(user, operatorsKey ? opsKey : "ack_wrong"));
        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "not valid");
    }

    [Fact]
    public async Task Basic_is_not_an_API_key_anywhere_else()
    {
        using var response = await SendAsync("/sessions", Basic("ops", opsKey));
        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "Bearer");
        Assert.DoesNotContain(response.Headers.WwwAuthenticate, c => c.Scheme == "Basic");
        Assert.DoesNotContain(opsKey, node.Log);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await node.Http.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}

/// <summary>A loopback node without keys: the dashboard is open, like the rest of its API (everyone is <c>local</c>).</summary>
public sealed class OpenDashboardTests
{
    [Fact]
    public async Task On_a_loopback_node_without_keys_the_dashboard_is_open()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        foreach (var path in new[] { "/dashboard/", "/dashboard/DashboardCounters" })
        {
            using var response = await node.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task An_operator_that_is_no_key_is_refused_at_start()
    {
        var (exitCode, log) = await NodeHost.RunToExitAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__ops"] = ApiKeys.Sha256Hex(ApiKeys.New()),
            ["Auth__Operators"] = "ops,opps",
        }, TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Auth:Operators names 'opps'", log);
    }
}
