using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// Webhooks end to end: a node (its own process, embedded default, on loopback, so loopback receivers are allowed)
/// delivers a task session's events to a real receiver process that verifies them with the official
/// <c>standardwebhooks</c> npm package. The receiver is down at first and then fails twice: the deliveries are
/// retried, and arrive verified, in order, once each webhook-id.
/// </summary>
public sealed class WebhookDeliveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_sessions_events_reach_a_receiver_that_fails_then_recovers_signed_in_order_and_without_the_secret()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            // Quick retries for the test: the schedule is the node's option.
            ["Webhooks__RetryDelays__0"] = "00:00:01", ["Webhooks__RetryDelays__1"] = "00:00:01",
            ["Webhooks__RetryDelays__2"] = "00:00:02", ["Webhooks__RetryDelays__3"] = "00:00:02",
            ["Webhooks__RetryDelays__4"] = "00:00:02", ["Webhooks__RetryDelays__5"] = "00:00:02",
        });
        var port = Ports.FreeLoopback();
        var created = await node.Http.PostAsJsonAsync("/webhooks", new
        {
            url = $"http://127.0.0.1:{port}/hook", events = new[] { "turn.completed", "session.terminated" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhook = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var (id, secret) = (webhook["id"]!.GetValue<string>(), webhook["secret"]!.GetValue<string>());
        Assert.StartsWith("whsec_", secret);

        // The session runs while the receiver is not even listening yet: its first attempts fail to connect.
        var session = await node.Http.PostAsJsonAsync("/sessions", new { mode = "task", prompt = "echo hello from webhooks" });
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        var sessionId = (await session.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => (await View(node, id))["last_error"] is not null, Deadline, "a delivery to the absent receiver fails");

        await using var receiver = await WebhookReceiver.StartAsync(port, secret, failFirst: 2);
        try
        {
            await Eventually.TrueAsync(() => receiver.Requests.Count(r => (int)r["status"]! == 204) == 2, Deadline, "both deliveries arrive");
            var requests = receiver.Requests;
            Assert.All(requests, r => Assert.True((bool)r["verified"]!, r.ToJsonString()));
            Assert.Equal(2, requests.Count(r => (int)r["status"]! == 500)); // it failed twice and was tried again
            var delivered = requests.Where(r => (int)r["status"]! == 204).ToList();
            Assert.Equal(["turn.completed", "session.terminated"], delivered.Select(r => (string)r["type"]!));
            Assert.All(delivered, r => Assert.Equal(sessionId, (string)r["session_id"]!));
            Assert.True((long)delivered[0]["seq"]! < (long)delivered[1]["seq"]!);
            Assert.Equal(2, delivered.Select(r => (string)r["id"]!).Distinct().Count());
            Assert.DoesNotContain(secret["whsec_".Length..], string.Concat(requests.Select(r => r.ToJsonString())));

            var view = await View(node, id);
            Assert.Equal((0, 2), ((int)view["pending"]!, (int)view["delivered_total"]!));
            Assert.Null(view["secret"]); // shown once, at creation
            Assert.DoesNotContain(secret, node.Log);
        }
        catch
        {
            output.WriteLine(receiver.Log + "\n" + node.Log);
            throw;
        }
    }

    [Fact]
    public async Task A_bad_subscription_is_a_400_naming_the_field_and_an_unknown_webhook_a_404()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        (string Body, string Field)[] bad =
        [
            ("""{"url":"http://169.254.169.254/latest","events":["turn.completed"]}""", "link-local"), // the cloud's metadata service
            ("""{"url":"http://10.0.0.1/hook","events":["turn.completed"]}""", "private"),
            ("""{"url":"ftp://example.com/hook","events":["turn.completed"]}""", "url"),
            ("""{"url":"http://127.0.0.1:9/hook","events":["turn.finished"]}""", "events"),
            ("""{"url":"http://127.0.0.1:9/hook","events":[]}""", "events"),
        ];
        foreach (var (body, field) in bad)
        {
            var response = await node.Http.PostAsync("/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(field, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/webhooks/whk_000000000000000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.DeleteAsync("/webhooks/whk_000000000000000000000000")).StatusCode);
    }

    private static async Task<JsonObject> View(NodeHost node, string id) =>
        (await node.Http.GetFromJsonAsync<JsonObject>($"/webhooks/{id}"))!;
}
