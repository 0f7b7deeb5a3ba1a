using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Security;

/// <summary>
/// A bounded, seeded fuzz of the public and agent endpoints: hostile ids, bodies, content types, headers and
/// credentials, a few hundred requests on loopback. Every answer is under 500, every error a ProblemDetails,
/// and the session they were aimed at (another key's) has the same state and events afterwards, and still works.
/// </summary>
[Collection(KeyedNodeCollection.Name)]
public sealed class FuzzTests(KeyedNodeFixture node, ITestOutputHelper output)
{
    private const int Requests = 300;

    private static readonly string[] Bodies =
    [
        "", "{", "null", "[]", "\"text\"", "0", "\u00ef\u00bb\u00bf{\"prompt\":", "{\"prompt\":null}", "{\"prompt\":123}", "{\"prompt\":\"\"}",
        "{\"prompt\":\"x\",\"session_id\":\"../../etc/passwd\"}", "{\"prompt\":\"x\",\"unknown\":1}",
        "{\"prompt\":\"x\",\"guest\":{\"cpus\":-1}}", "{\"prompt\":\"x\",\"guest\":{\"memory_mb\":1e308}}",
        "{\"prompt\":\"x\",\"guest\":{\"cpus\":99999999999999999999}}", "{\"prompt\":\"x\",\"env\":{\"FLY_API_TOKEN\":\"steal\"}}",
        "{\"prompt\":\"x\",\"env\":{\"1BAD\":\"v\"}}", "{\"prompt\":\"x\",\"env\":[1,2]}",
        "{\"prompt\":\"x\",\"metadata\":{\"agentcluster_session\":\"other\"}}", "{\"prompt\":\"x\",\"runtime\":\"../../bin/sh\"}",
        "{\"prompt\":\"x\",\"region\":\"IAD; rm -rf /\"}", "{\"prompt\":\"\\ud800\",\"guest\":{\"cpus\":0}}",
        "{\"prompt\":\"x\",\"prompt\":\"y\",\"guest\":{\"cpu_kind\":\"gpu\"}}", "{\"content\":\"\"}", "{\"content\":null}", "{\"content\":5}",
        "{\"contnt\":\"x\"}", "{\"content\":\"x\",\"prompt\":\"x\"}", "{\"instance\":\"\"}", "{\"instance\":null,\"events\":null}",
        "{\"instance\":\"f\",\"events\":[{\"seq\":0,\"type\":\"agent.output\",\"turn\":1,\"payload\":{}}]}",
        "{\"instance\":\"f\",\"events\":[{\"seq\":1,\"type\":\"session.status\",\"turn\":1,\"payload\":{\"status\":\"terminated\"}}]}",
        "{\"instance\":\"f\",\"events\":[{\"seq\":1,\"type\":\"agent.output\",\"turn\":999,\"payload\":{}}]}",
        "{\"instance\":\"f\",\"events\":[{\"seq\":1,\"type\":\"agent.output\",\"turn\":1,\"payload\":\"not an object\"}]}",
        "{\"instance\":\"" + new string('i', 65) + "\",\"events\":[]}",
    ];

    private static readonly string?[] ContentTypes =
        ["application/json", "application/json", "application/json", "application/json", "text/plain", null, "application/json; charset=utf-16", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"];

    [Fact]
    public async Task Hostile_requests_get_4xx_problems_never_a_5xx_and_leave_another_keys_session_as_it_was()
    {
        var victim = await KeyedNodeFixture.StartIdleSessionAsync(node.A);
        var own = await KeyedNodeFixture.StartIdleSessionAsync(node.B);
        var (victimToken, ownToken) = (await KeyedNodeFixture.AgentTokenAsync(victim), await KeyedNodeFixture.AgentTokenAsync(own));
        var before = await SnapshotAsync(victim);

        var random = new Random(20_261_124);
        string[] ids = [victim, victim, victim, own, own, "missing-session", "..%2F..%2Fetc", "%00", new string('a', 65), "%C3%9F", "%E2%80%AE", "'%20OR%201=1--", "ses_" + victim, "%2e%2e"];
        // Key A is the victim's owner: the fuzz speaks with every other credential. The victim's agent token
        // is tried everywhere but on its own session's agent calls, where it is legitimately allowed to write.
        string?[] credentials = [null, $"Bearer {node.KeyB}", "Bearer garbage", $"Bearer {victimToken}", $"Bearer {ownToken}", "Basic YTpi", $"Bearer {node.KeyA}x", "Bearer " + new string('k', 4000)];
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Requests; i++)
        {
            var id = Pick(random, ids);
            var (method, path) = Pick(random, Endpoints(id, random));
            // Half the time a credential that gets past the door (B's key; a session token), so the input behind it is tried too.
            var agentCall = path.StartsWith("/agent/", StringComparison.Ordinal);
            var authorization = random.Next(2) == 0 ? (agentCall ? $"Bearer {ownToken}" : $"Bearer {node.KeyB}") : Pick(random, credentials);
            if (agentCall && id == victim && authorization == $"Bearer {victimToken}") authorization = $"Bearer {ownToken}";

            if (method == HttpMethod.Post && random.Next(12) == 0)
            {
                // A body over every limit, announced and never sent (sent, the node would close on it mid-write).
                var announced = await RawHttp.AnnounceBodyAsync(node.Node.HttpPort, path, 17 * 1024 * 1024, authorization);
                statuses[announced.Status] = statuses.GetValueOrDefault(announced.Status) + 1;
                Assert.True(announced.Status is >= 400 and < 500 && (announced.ContentType == "application/problem+json" || KestrelRefuses(path)),
                    $"#{i} POST {path} announcing 17 MiB → {announced.Status} {announced.ContentType}: {announced.Body}");
                continue;
            }

            using var request = new HttpRequestMessage(method, path);
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            if (random.Next(5) == 0) request.Headers.TryAddWithoutValidation("Last-Event-ID", Pick(random, ["-1", "abc", "99999999999999999999", "1", ""]));
            if (method != HttpMethod.Get && method != HttpMethod.Delete) request.Content = Body(random);

            using var response = await node.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var what = $"#{i} {method} {path} ({authorization?[..Math.Min(authorization.Length, 12)]}…, {request.Content?.Headers.ContentType})";
            if (status >= 500) Assert.Fail($"{what} → {status}: {await response.Content.ReadAsStringAsync()}"); // (an event stream is never read to its end)
            if (status >= 400 && !(status == 400 && KestrelRefuses(path))) Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what} → {status} without a ProblemDetails");
        }
        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        Assert.Equal(before, await SnapshotAsync(victim));
        Assert.DoesNotContain((await node.B.GetFromJsonAsync<JsonObject>("/sessions?limit=100"))!["sessions"]!.AsArray(),
            s => s!["session_id"]!.GetValue<string>() != own); // no hostile create went through
        // And it still works as its owner drives it.
        await using var stream = await SseStream.OpenAsync(node.A, $"/sessions/{victim}/events?after={before.View["last_event_id"]}");
        Assert.Equal(HttpStatusCode.Accepted, (await node.A.PostAsJsonAsync($"/sessions/{victim}/messages", new { content = "echo still here" })).StatusCode);
        await stream.WaitForAsync(e => e.IsTurnCompleted(2), KeyedNodeFixture.Deadline, "the victim's next turn runs");
        Assert.Contains(stream.Received, e => e.Type == "agent.output" && e.Text() == "still here");

        await node.A.DeleteAsync($"/sessions/{victim}");
        await node.B.DeleteAsync($"/sessions/{own}");
    }

    /// <summary>Kestrel refuses a NUL in the request target itself, before any of the app runs: a bare 400.</summary>
    private static bool KestrelRefuses(string path) => path.Contains("%00");

    private static (HttpMethod, string)[] Endpoints(string id, Random random)
    {
        var query = Pick(random, ["", "?limit=0", "?limit=abc", "?limit=100000000000", "?cursor=%FF%FE", "?cursor=MDAwMDAwMDAwMDAwMDAwfHg", "?after=-5", "?after=x"]);
        var wait = Pick(random, ["-1", "61", "abc", "0", "0.01", "NaN", "Infinity", "1e309"]); // never a long poll
        return
        [
            (HttpMethod.Get, "/sessions" + query), (HttpMethod.Post, "/sessions"), (HttpMethod.Get, $"/sessions/{id}"),
            (HttpMethod.Get, $"/sessions/{id}/events{query}"), (HttpMethod.Post, $"/sessions/{id}/messages"), (HttpMethod.Delete, $"/sessions/{id}"),
            (HttpMethod.Put, $"/sessions/{id}"), (HttpMethod.Patch, "/sessions"), (HttpMethod.Get, $"/sessions/{id}/../../health"),
            (HttpMethod.Post, $"/agent/sessions/{id}/events"), (HttpMethod.Post, $"/agent/sessions/{id}/heartbeat"),
            (HttpMethod.Get, $"/agent/sessions/{id}/turns/next?after={Pick(random, ["0", "0", "3", "-1", "x", "99999999999"])}&instance={Pick(random, ["", "f", new string('i', 70)])}&wait={wait}"),
        ];
    }

    private static HttpContent Body(Random random)
    {
        var body = random.Next(12) switch
        {
            0 => Encoding.UTF8.GetBytes("{\"prompt\":" + new string('[', 5000)),
            1 => RandomBytes(random, random.Next(1, 512)),
            _ => Encoding.UTF8.GetBytes(Pick(random, Bodies)),
        };
        var content = new ByteArrayContent(body);
        if (Pick(random, ContentTypes) is { } type) content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>The session as its owner sees it: its view and every event so far.</summary>
    private async Task<Snapshot> SnapshotAsync(string id)
    {
        var view = (await node.A.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        // Its machine's running time (and so its cost) moves with the clock, not with anyone's requests.
        view.Remove("machine_seconds");
        view.Remove("cost_usd");
        var last = view["last_event_id"]!.GetValue<long>();
        await using var stream = await SseStream.OpenAsync(node.A, $"/sessions/{id}/events");
        await stream.WaitForAsync(e => e.Id == last, KeyedNodeFixture.Deadline, "every event so far is read");
        return new Snapshot(view, string.Join("\n", stream.Received.Select(e => e.Json())));
    }

    private sealed record Snapshot(JsonObject View, string Events)
    {
        public bool Equals(Snapshot? other) => other is not null && View.ToJsonString() == other.View.ToJsonString() && Events == other.Events;
        public override int GetHashCode() => Events.GetHashCode();
        public override string ToString() => View.ToJsonString() + "\n" + Events;
    }
}
