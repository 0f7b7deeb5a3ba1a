using Xunit.Abstractions;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// A session's poke to its owner's webhooks is one-way and can die with its node between the durable append and
/// the poke, and a subscription that never heard of the session would then never read it. The node here drops
/// every poke (<c>Webhooks:DropPokes</c>, a test switch), so the owner's sweep over its recent sessions is the only
/// way the events can arrive: they do, once each, in order.
/// </summary>
public sealed class WebhookLostPokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Events_whose_pokes_were_lost_are_found_by_the_owners_sweep_and_delivered()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Webhooks__DropPokes"] = "true",
            ["Webhooks__SweepInterval"] = "00:00:01",
        });
        var port = Ports.FreeLoopback();
        var (id, secret) = await WebhookCalls.SubscribeAsync(node.Http, port, WebhookCalls.TurnAndEnd);
        await using var receiver = await WebhookReceiver.StartAsync(port, secret, failFirst: 0);
        try
        {
            var sessionId = await WebhookCalls.StartTaskAsync(node.Http, "echo found by the sweep");
            await Eventually.TrueAsync(() => receiver.Accepted().Count == 2, Deadline, "both events arrive although every poke was lost");

            var delivered = receiver.Accepted();
            Assert.Equal(["turn.completed", "session.terminated"], delivered.Select(r => (string)r["type"]!));
            Assert.All(delivered, r => Assert.Equal(sessionId, (string)r["session_id"]!));
            Assert.All(receiver.Requests, r => Assert.True((bool)r["verified"]!, r.ToJsonString()));
            Assert.Equal(2, receiver.Requests.Count); // the sweep's repeated hand-overs queued nothing twice
            await Eventually.TrueAsync(async () => (await WebhookCalls.ViewAsync(node.Http, id)) is var v && (int)v["pending"]! == 0 && (int)v["delivered_total"]! == 2,
                Deadline, "the subscription has delivered both and has nothing pending");
        }
        catch
        {
            output.WriteLine(receiver.Log + "\n" + node.Log);
            throw;
        }
    }
}
