using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Security;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// Subscriptions belong to an API key as sessions do: another key cannot see or delete one (404, as if it did not
/// exist), and a key's subscription hears only of its own key's sessions.
/// </summary>
public sealed class WebhookOwnershipTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Another_keys_subscription_is_missing_to_a_key_and_hears_nothing_of_its_sessions()
    {
        var (keyA, keyB) = (ApiKeys.New(), ApiKeys.New());
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__team-a"] = ApiKeys.Sha256Hex(keyA),
            ["Auth__ApiKeys__team-b"] = ApiKeys.Sha256Hex(keyB),
        });
        using var a = node.Client(keyA);
        using var b = node.Client(keyB);
        var (portA, portB) = (Ports.FreeLoopback(), Ports.FreeLoopback());
        var (idA, secretA) = await WebhookCalls.SubscribeAsync(a, portA, WebhookCalls.TurnAndEnd);
        var (idB, secretB) = await WebhookCalls.SubscribeAsync(b, portB, WebhookCalls.TurnAndEnd);

        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/webhooks/{idA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.DeleteAsync($"/webhooks/{idA}")).StatusCode);
        var listedToB = (await b.GetFromJsonAsync<JsonObject>("/webhooks"))!["webhooks"]!.AsArray().Select(w => (string)w!["id"]!);
        Assert.Equal([idB], listedToB);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/webhooks/{idA}")).StatusCode); // B's delete did nothing

        await using var receiverA = await WebhookReceiver.StartAsync(portA, secretA, failFirst: 0);
        await using var receiverB = await WebhookReceiver.StartAsync(portB, secretB, failFirst: 0);
        try
        {
            // B's session first: had A's subscription queued it, its first-in-first-out queue would deliver it before A's own.
            var sessionB = await WebhookCalls.StartTaskAsync(b, "echo from team b");
            await Eventually.TrueAsync(() => receiverB.Accepted().Count == 2, Deadline, "B's session's events reach B's receiver");
            var sessionA = await WebhookCalls.StartTaskAsync(a, "echo from team a");
            await Eventually.TrueAsync(() => receiverA.Accepted().Count == 2, Deadline, "A's session's events reach A's receiver");

            Assert.All(receiverA.Requests, r => Assert.Equal(sessionA, (string)r["session_id"]!));
            Assert.All(receiverB.Requests, r => Assert.Equal(sessionB, (string)r["session_id"]!));
            await Eventually.TrueAsync(async () => (int)(await WebhookCalls.ViewAsync(a, idA))["delivered_total"]! == 2, Deadline, "A's subscription counts its two deliveries");
        }
        catch
        {
            output.WriteLine(receiverA.Log + "\n" + receiverB.Log + "\n" + node.Log);
            throw;
        }
    }
}
