using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Security;

/// <summary>
/// The public API behind API keys: no key, a wrong key or another scheme is a 401 with a Bearer challenge; a
/// key sees and touches only the sessions it created, and another key's session looks exactly like a
/// missing one. Agent tokens open their own session's agent calls only, and only while it lives.
/// </summary>
[Collection(KeyedNodeCollection.Name)]
public sealed class ApiKeyTests(KeyedNodeFixture node)
{
    [Theory]
    [InlineData(null, "needs an API key")]
    [InlineData("Bearer not-a-key", "not valid")]
    [InlineData("Basic dGVhbS1hOnNlY3JldA==", "Bearer")]
    [InlineData("Bearer", "Bearer")]
    public async Task Without_a_valid_key_every_sessions_call_is_a_401_with_a_Bearer_challenge(string? authorization, string mentions)
    {
        foreach (var request in new Func<HttpRequestMessage>[]
        {
            () => new(HttpMethod.Get, "/sessions"),
            () => new(HttpMethod.Post, "/sessions") { Content = JsonContent.Create(new { prompt = "echo nope" }) },
            () => new(HttpMethod.Get, "/sessions/some-id"),
            () => new(HttpMethod.Get, "/sessions/some-id/events"),
            () => new(HttpMethod.Post, "/sessions/some-id/messages") { Content = JsonContent.Create(new { content = "x" }) },
            () => new(HttpMethod.Delete, "/sessions/some-id"),
        })
        {
            using var message = request();
            if (authorization is not null) message.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await node.Anonymous.SendAsync(message);
            await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, mentions);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        Assert.Equal(HttpStatusCode.OK, (await node.Anonymous.GetAsync("/health")).StatusCode); // health checks need no key
        Assert.DoesNotContain(await ListAsync(node.A), id => id.StartsWith("nope"));
    }

    [Fact]
    public async Task A_key_sees_and_touches_only_its_own_sessions_and_another_keys_look_missing()
    {
        var id = await KeyedNodeFixture.StartIdleSessionAsync(node.A, "owned-" + Guid.NewGuid().ToString("N")[..12]);
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..12];

        foreach (var (theirs, none) in new (Func<string, Task<HttpResponseMessage>>, string)[]
        {
            (s => node.B.GetAsync($"/sessions/{s}"), "GET"),
            (s => node.B.GetAsync($"/sessions/{s}/events"), "events"),
            (s => node.B.PostAsJsonAsync($"/sessions/{s}/messages", new { content = "echo hijack" }), "messages"),
            (s => node.B.DeleteAsync($"/sessions/{s}"), "DELETE"),
            (s => node.B.PostAsync($"/sessions/{s}/restart", null), "restart"),
        }.Select(c => (c.Item1(id), c.Item1(missing))))
        {
            // The same answer as for an id that does not exist, but for the id itself.
            var other = await Problems.AssertAsync(await theirs, HttpStatusCode.NotFound, id);
            var absent = await Problems.AssertAsync(await none, HttpStatusCode.NotFound, missing);
            Assert.Equal(absent["title"]!.GetValue<string>(), other["title"]!.GetValue<string>());
            Assert.Equal(absent["detail"]!.GetValue<string>().Replace(missing, id), other["detail"]!.GetValue<string>());
        }

        // Taking the id with another key is refused without a word about the session behind it.
        var taken = await node.B.PostAsJsonAsync("/sessions", new { prompt = "echo mine now", session_id = id, env = new { X = "1" } });
        var conflict = await Problems.AssertAsync(taken, HttpStatusCode.Conflict, "session_id");
        Assert.Equal(["detail", "field", "status", "title", "trace_id", "type"], conflict.Select(p => p.Key).Order());
        Assert.DoesNotContain("team-a", conflict.ToJsonString());

        Assert.Contains(id, await ListAsync(node.A));
        Assert.DoesNotContain(id, await ListAsync(node.B));

        // team-b's rotated key is team-b: it sees what team-b made, and still not team-a's.
        var teamB = await KeyedNodeFixture.StartIdleSessionAsync(node.B);
        using var rotated = node.Node.Client(node.RotatedKeyB);
        Assert.Equal(HttpStatusCode.OK, (await rotated.GetAsync($"/sessions/{teamB}")).StatusCode);
        Assert.Contains(teamB, await ListAsync(rotated));
        Assert.DoesNotContain(teamB, await ListAsync(node.A));
        await Problems.AssertAsync(await rotated.GetAsync($"/sessions/{id}"), HttpStatusCode.NotFound, id);
        Assert.Equal(HttpStatusCode.OK, (await rotated.DeleteAsync($"/sessions/{teamB}")).StatusCode);

        // Nothing B tried reached the session: still idle after its one turn, and A's own create is still idempotent.
        var view = (await node.A.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.Equal(("idle", 1), (view["status"]!.GetValue<string>(), view["turns"]!.GetValue<int>()));
        Assert.Null(view["owner"]); // the owner is the caller; it is not echoed
        Assert.Equal(HttpStatusCode.OK, (await node.A.PostAsJsonAsync("/sessions", new { prompt = "echo again", session_id = id })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.A.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_agent_token_opens_only_its_own_session_and_dies_with_it()
    {
        var first = await KeyedNodeFixture.StartIdleSessionAsync(node.A);
        var second = await KeyedNodeFixture.StartIdleSessionAsync(node.B);
        var (firstToken, secondToken) = (await KeyedNodeFixture.AgentTokenAsync(first), await KeyedNodeFixture.AgentTokenAsync(second));

        Assert.Equal(HttpStatusCode.OK, (await HeartbeatAsync(first, firstToken)).StatusCode);
        await Problems.AssertAsync(await HeartbeatAsync(second, firstToken), HttpStatusCode.Forbidden, second);
        await Problems.AssertAsync(await HeartbeatAsync(first, node.KeyA), HttpStatusCode.Forbidden, first); // an API key is no agent token
        var none = await node.Anonymous.PostAsJsonAsync($"/agent/sessions/{first}/heartbeat", new { instance = "probe" });
        await Problems.AssertAsync(none, HttpStatusCode.Unauthorized, "Bearer");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        // An agent token is no API key either.
        await Problems.AssertAsync(await node.Node.Client(firstToken).GetAsync($"/sessions/{first}"), HttpStatusCode.Unauthorized, "not valid");

        Assert.Equal(HttpStatusCode.OK, (await node.A.DeleteAsync($"/sessions/{first}")).StatusCode);
        await Problems.AssertAsync(await HeartbeatAsync(first, firstToken), HttpStatusCode.Gone, "terminated");
        Assert.Equal(HttpStatusCode.OK, (await HeartbeatAsync(second, secondToken)).StatusCode); // the other session lives on
        Assert.Equal(HttpStatusCode.OK, (await node.B.DeleteAsync($"/sessions/{second}")).StatusCode);
    }

    private Task<HttpResponseMessage> HeartbeatAsync(string sessionId, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/agent/sessions/{sessionId}/heartbeat") { Content = JsonContent.Create(new { instance = "probe" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return node.Anonymous.SendAsync(request);
    }

    private static async Task<List<string>> ListAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonObject>("/sessions?limit=100"))!["sessions"]!.AsArray()
            .Select(s => s!["session_id"]!.GetValue<string>()).ToList();
}
