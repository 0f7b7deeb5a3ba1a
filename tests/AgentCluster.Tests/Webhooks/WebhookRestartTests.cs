using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// A delivery queue outlives its node: the node is killed (SIGKILL) while its deliveries are failing, another node
/// starts on the same Redis, and the subscription's reminder brings its queue back; the receiver gets every event.
/// </summary>
public sealed class WebhookRestartTests(ITestOutputHelper output)
{
    private const string App = "webhooks-restart";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Deliveries_queued_on_a_killed_node_arrive_from_the_next_one()
    {
        const string flyToken = "fly-token-webhooks";
        await using var redis = await RedisHost.StartAsync();
        await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.ApiToken = flyToken);
        await using (var fly = EmulatorHost.CreateClientServices(emulator.BaseUrl, flyToken))
            await fly.GetRequiredService<IFlyAppsApi>().CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
        var environment = new Dictionary<string, string>(NodeCluster.QuickMembership) // the killed node is declared dead in seconds
        {
            ["REDIS_URL"] = redis.Url,
            ["Orleans__ClusterId"] = "c-" + Guid.NewGuid().ToString("N")[..8],
            ["FLY_API_URL"] = emulator.BaseUrl.ToString(),
            ["FLY_API_TOKEN"] = flyToken,
            ["FLY_APP_NAME"] = App,
            ["Webhooks__RetryDelays__0"] = "00:00:01", ["Webhooks__RetryDelays__1"] = "00:00:02",
            ["Webhooks__RetryDelays__2"] = "00:00:05", ["Webhooks__RetryDelays__3"] = "00:00:05",
            ["Webhooks__RetryDelays__4"] = "00:00:05", ["Webhooks__RetryDelays__5"] = "00:00:05",
            ["Webhooks__RetryDelays__6"] = "00:00:05", ["Webhooks__RetryDelays__7"] = "00:00:05",
        };
        var port = Ports.FreeLoopback();
        string id, secret, sessionId;
        await using (var first = await NodeHost.StartAsync(environment))
        {
            var created = await first.Http.PostAsJsonAsync("/webhooks", new { url = $"http://127.0.0.1:{port}/hook", events = new[] { "turn.completed", "session.terminated" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var webhook = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
            (id, secret) = (webhook["id"]!.GetValue<string>(), webhook["secret"]!.GetValue<string>());
            var session = await first.Http.PostAsJsonAsync("/sessions", new { mode = "task", runtime = "shell", prompt = "echo across a restart" });
            Assert.Equal(HttpStatusCode.Created, session.StatusCode);
            sessionId = (await session.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
            // Both events are queued and failing (nobody listens yet) when the node dies.
            await Eventually.TrueAsync(async () => await first.Http.GetFromJsonAsync<JsonObject>($"/webhooks/{id}") is { } v
                && (int)v["pending"]! == 2 && v["last_error"] is not null, Deadline, "both deliveries are queued and failing");
            await first.KillAsync();
        }

        await using var receiver = await WebhookReceiver.StartAsync(port, secret, failFirst: 0);
        await using var second = await NodeHost.StartAsync(environment);
        try
        {
            // The reminder (at most a minute) reactivates the subscription on the new node.
            await Eventually.TrueAsync(() => receiver.Requests.Count(r => (int)r["status"]! == 204) >= 2, TimeSpan.FromMinutes(3), "the queue resumes on the new node");
            var delivered = receiver.Requests.Where(r => (int)r["status"]! == 204).ToList();
            Assert.All(receiver.Requests, r => Assert.True((bool)r["verified"]!, r.ToJsonString()));
            Assert.Equal(["turn.completed", "session.terminated"], delivered.Select(r => (string)r["type"]!).Distinct());
            Assert.All(delivered, r => Assert.Equal(sessionId, (string)r["session_id"]!));
        }
        catch
        {
            output.WriteLine(receiver.Log + "\n" + second.Log);
            throw;
        }
    }
}
