using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Security;

/// <summary>Every kind of bad input is a 4xx ProblemDetails that names the problem, and the agent protocol stays lenient where it should.</summary>
[Collection(KeyedNodeCollection.Name)]
public sealed class BadInputTests(KeyedNodeFixture node)
{
    [Fact]
    public async Task Bad_bodies_are_refused_with_a_problem_that_names_them()
    {
        var http = node.A;
        await Problems.AssertAsync(await http.PostAsync("/sessions", Json("{\"prompt\": \"x\", \"guest\": [[[")), HttpStatusCode.BadRequest, "JSON");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { promt = "typo" }), HttpStatusCode.BadRequest, "'promt'");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = "x", guest = new { cpu = 2 } }), HttpStatusCode.BadRequest, "'cpu'");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = new string('x', 100_001) }), HttpStatusCode.BadRequest, "at most 100000 characters");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = "x", session_id = "white space" }), HttpStatusCode.BadRequest, "session_id");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions",
            new { prompt = "x", metadata = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", _ => "v") }), HttpStatusCode.BadRequest, "at most 50");
        await Problems.AssertAsync(await http.PostAsync("/sessions", new StringContent("{\"prompt\":\"x\"}", Encoding.UTF8, "text/plain")),
            HttpStatusCode.UnsupportedMediaType, "application/json");
        var formless = new ByteArrayContent("{\"prompt\":\"x\"}"u8.ToArray());
        await Problems.AssertAsync(await http.PostAsync("/sessions", formless), HttpStatusCode.UnsupportedMediaType, "application/json");

        // Over the limit: refused before the body is read, whether its length is announced or streamed.
        var huge = "{\"prompt\":\"" + new string('x', 1024 * 1024) + "\"}";
        using var sent = new HttpRequestMessage(HttpMethod.Post, "/sessions") { Content = Json(huge) };
        sent.Headers.ExpectContinue = true; // as a client of a large upload asks: the node refuses before the body is sent
        await Problems.AssertAsync(await http.SendAsync(sent), HttpStatusCode.RequestEntityTooLarge, "1048576 bytes");
        var announced = await RawHttp.AnnounceBodyAsync(node.Node.HttpPort, "/sessions", 1024 * 1024 + 1, $"Bearer {node.KeyA}");
        Assert.Equal((413, "application/problem+json"), (announced.Status, announced.ContentType));
        Assert.Contains("1048576 bytes", announced.Body);
        using var streamed = new HttpRequestMessage(HttpMethod.Post, "/sessions") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))) };
        streamed.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        streamed.Headers.TransferEncodingChunked = true;
        await Problems.AssertAsync(await http.SendAsync(streamed), HttpStatusCode.RequestEntityTooLarge, "1048576 bytes");

        Assert.DoesNotContain("typo", (await http.GetStringAsync("/sessions?limit=100")));
    }

    [Fact]
    public async Task Bad_paths_and_parameters_are_refused_with_a_problem_that_names_them()
    {
        var http = node.A;
        await Problems.AssertAsync(await http.GetAsync("/sessions/" + new string('a', 65)), HttpStatusCode.BadRequest, "session_id");
        await Problems.AssertAsync(await http.GetAsync("/sessions/-leading-dash/events"), HttpStatusCode.BadRequest, "session_id");
        await Problems.AssertAsync(await http.GetAsync("/sessions?limit=lots"), HttpStatusCode.BadRequest, "limit");
        await Problems.AssertAsync(await http.GetAsync("/sessions?cursor=%00%01"), HttpStatusCode.BadRequest, "cursor");
        await Problems.AssertAsync(await http.PutAsJsonAsync("/sessions", new { prompt = "x" }), HttpStatusCode.MethodNotAllowed, "PUT");
        await Problems.AssertAsync(await http.GetAsync("/admin"), HttpStatusCode.NotFound, "/admin");

        // A reader of an event stream accepts only text/event-stream (a browser's EventSource does): its refusals are
        // problems all the same, not an empty 500.
        foreach (var (client, path, status, reason) in new[]
        {
            (http, "/sessions/never-made/events", HttpStatusCode.NotFound, "never-made"),
            (node.Anonymous, "/sessions/never-made/events", HttpStatusCode.Unauthorized, "API key"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Accept", "text/event-stream" } } };
            await Problems.AssertAsync(await client.SendAsync(request), status, reason);
        }
    }

    [Fact]
    public async Task Message_limits_hold_and_the_agent_protocol_takes_fields_it_does_not_know()
    {
        var id = await KeyedNodeFixture.StartIdleSessionAsync(node.A);
        await Problems.AssertAsync(await node.A.PostAsJsonAsync($"/sessions/{id}/messages", new { content = new string('y', 100_001) }), HttpStatusCode.BadRequest, "content");
        await Problems.AssertAsync(await node.A.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "x", contents = "x" }), HttpStatusCode.BadRequest, "'contents'");

        var token = await KeyedNodeFixture.AgentTokenAsync(id);
        using var agent = node.Node.Client(token);
        // A newer agent may send more than this node knows: accepted, not a 400.
        Assert.Equal(HttpStatusCode.OK, (await agent.PostAsJsonAsync($"/agent/sessions/{id}/heartbeat", new { instance = "probe", load = 0.5 })).StatusCode);
        await Problems.AssertAsync(await agent.PostAsync($"/agent/sessions/{id}/events", Json("{\"instance\":\"probe\",\"events\":[")), HttpStatusCode.BadRequest, "JSON");
        foreach (var wait in new[] { "NaN", "Infinity", "-1", "61" })
            await Problems.AssertAsync(await agent.GetAsync($"/agent/sessions/{id}/turns/next?after=1&instance=probe&wait={wait}"), HttpStatusCode.BadRequest, "wait");
        // Announced and never sent: the node answers from the header alone, without reading 16 MiB first.
        var oversize = await RawHttp.AnnounceBodyAsync(node.Node.HttpPort, $"/agent/sessions/{id}/events", 16 * 1024 * 1024 + 1, $"Bearer {token}");
        Assert.Equal((413, "application/problem+json"), (oversize.Status, oversize.ContentType));
        Assert.Contains("16777216 bytes", oversize.Body);
        Assert.Equal(HttpStatusCode.OK, (await node.A.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
