using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Webhooks;

/// <summary>What the webhook tests ask a node: subscribe a loopback receiver's port, run a task session, read a subscription.</summary>
public static class WebhookCalls
{
    public static readonly string[] TurnAndEnd = ["turn.completed", "session.terminated"];

    public static async Task<(string Id, string Secret)> SubscribeAsync(HttpClient client, int port, params string[] events)
    {
        var created = await client.PostAsJsonAsync("/webhooks", new { url = $"http://127.0.0.1:{port}/hook", events });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhook = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        return (webhook["id"]!.GetValue<string>(), webhook["secret"]!.GetValue<string>());
    }

    /// <summary>A task session: one turn, then it ends (a <c>turn.completed</c>, then a <c>session.terminated</c>).</summary>
    public static async Task<string> StartTaskAsync(HttpClient client, string prompt)
    {
        var session = await client.PostAsJsonAsync("/sessions", new { mode = "task", prompt });
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
        return (await session.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
    }

    public static async Task<JsonObject> ViewAsync(HttpClient client, string id) => (await client.GetFromJsonAsync<JsonObject>($"/webhooks/{id}"))!;

    /// <summary>The requests the receiver accepted (verified, answered 204), in order.</summary>
    public static List<JsonObject> Accepted(this WebhookReceiver receiver) => receiver.Requests.Where(r => (int)r["status"]! == 204).ToList();
}
