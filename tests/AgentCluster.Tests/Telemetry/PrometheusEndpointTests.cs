using System.Net;
using System.Net.Http.Headers;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Security;

namespace AgentCluster.Tests.Telemetry;

/// <summary>
/// With Telemetry:Prometheus on, a node serves its metrics in Prometheus' text format at /metrics, to operators
/// only: a session owner's key gets 403, no key 401.
/// </summary>
public sealed class PrometheusEndpointTests : IAsyncLifetime
{
    private readonly string opsKey = ApiKeys.New();
    private readonly string teamKey = ApiKeys.New();
    private NodeHost node = null!;

    public async Task InitializeAsync() => node = await NodeHost.StartAsync(new Dictionary<string, string>
    {
        ["Auth__ApiKeys__ops"] = ApiKeys.Sha256Hex(opsKey),
        ["Auth__ApiKeys__team-a"] = ApiKeys.Sha256Hex(teamKey),
        ["Auth__Operators"] = "ops",
        ["Telemetry__Prometheus"] = "true",
    });

    public async Task DisposeAsync() => await node.DisposeAsync();

    [Fact]
    public async Task Operators_scrape_the_sessions_metrics_and_nobody_else_does()
    {
        using (var anonymous = await node.Http.GetAsync("/metrics"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var owner = await GetAsync(teamKey))
            Assert.Equal(HttpStatusCode.Forbidden, owner.StatusCode);

        // A session moves the node's own instruments.
        using var team = node.Client(teamKey);
        await KeyedNodeFixture.StartIdleSessionAsync(team);
        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            using var scraped = await GetAsync(opsKey);
            scraped.EnsureSuccessStatusCode();
            text = await scraped.Content.ReadAsStringAsync();
            return text.Contains("agentcluster_machines_created_total{") && text.Contains("agentcluster_session_events_total{");
        }, TimeSpan.FromSeconds(30), () => "the scrape shows the session's machine and events: " + text[..Math.Min(text.Length, 2000)]);
        Assert.Contains("agentcluster_fly_request_duration_seconds_count{", text);
    }

    private Task<HttpResponseMessage> GetAsync(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return node.Http.SendAsync(request);
    }
}
