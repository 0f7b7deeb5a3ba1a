using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// The product's path over real processes: a node on its embedded default (emulator inside), real agent
/// processes in the machines, a client speaking HTTP and SSE.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_client_creates_streams_follows_up_resumes_and_deletes_a_session()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var http = node.Http;

        var created = await http.PostAsJsonAsync("/sessions", new { prompt = "echo hello; echo oops >&2; exit 3", env = new { ANTHROPIC_API_KEY = "sk-ant-e2e-secret" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = session["session_id"]!.GetValue<string>();
        Assert.Equal("starting", session["status"]!.GetValue<string>());
        Assert.NotNull(session["machine_id"]);
        Assert.Equal($"/sessions/{id}", created.Headers.Location!.ToString());

        await using var stream = await SseStream.OpenAsync(http, $"/sessions/{id}/events");
        var first = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn completes");
        Assert.Equal("error", first.Payload["outcome"]!.GetValue<string>());
        Assert.Equal(3, first.Payload["exit_code"]!.GetValue<int>());
        var output = stream.Received.Where(e => e.Type == "agent.output").Select(e => (e.Payload["stream"]!.GetValue<string>(), e.Text())).ToList();
        // stdout and stderr are two pipes: each keeps its order, but not with respect to the other.
        Assert.Equal([("stderr", "oops"), ("stdout", "hello")], output.Order());

        var sent = await http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "echo second turn" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal(2, (await sent.Content.ReadFromJsonAsync<JsonObject>())!["turn"]!.GetValue<int>());
        await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the follow-up turn completes on the same agent");
        Assert.Contains(stream.Received, e => e.Type == "agent.output" && e.Text() == "second turn");
        Assert.Equal(Enumerable.Range(1, stream.Received.Count).Select(i => (long)i), stream.Received.Select(e => e.Id));

        // A client that saw up to the first turn's end reconnects: it gets exactly what came after.
        await using (var resumed = await SseStream.OpenAsync(http, $"/sessions/{id}/events", lastEventId: first.Id.ToString()))
        {
            var later = stream.Received.Where(e => e.Id > first.Id).ToList();
            await resumed.WaitForAsync(e => e.Id == later[^1].Id, Deadline, "the resumed stream catches up");
            Assert.Equal(later.Select(e => e.Json()), resumed.Received.Select(e => e.Json()));
        }

        var view = (await http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.Equal(("idle", 2), (view["status"]!.GetValue<string>(), view["turns"]!.GetValue<int>()));
        Assert.DoesNotContain("sk-ant-e2e-secret", view.ToJsonString());
        Assert.NotEmpty(AgentProcesses.Of(id));

        var deleted = await http.DeleteAsync($"/sessions/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var end = await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "terminated", Deadline, "the stream tells the end");
        Assert.Equal("deleted", end.Payload["reason"]!.GetValue<string>());
        await stream.ReadToEndAsync(Deadline);
        Assert.True(stream.Ended);
        Assert.DoesNotContain(stream.Received, e => e.Json().Contains("sk-ant-e2e-secret"));
        await Eventually.TrueAsync(() => AgentProcesses.Of(id).Count == 0, Deadline, "no agent process is left once the machine is destroyed");

        var late = await http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "anyone?" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task An_interrupt_stops_the_running_command_and_the_next_message_runs_on_the_same_agent()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var http = node.Http;
        var created = await http.PostAsJsonAsync("/sessions", new { prompt = "echo started; sleep 600; echo never" });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenAsync(http, $"/sessions/{id}/events");
        await stream.WaitForAsync(e => e.Type == "agent.output" && e.Text() == "started", Deadline, "the command runs");

        var interrupted = await http.PostAsync($"/sessions/{id}/interrupt", null);
        Assert.Equal(HttpStatusCode.Accepted, interrupted.StatusCode);
        Assert.Equal(1, (await interrupted.Content.ReadFromJsonAsync<JsonObject>())!["turn"]!.GetValue<int>());
        var end = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the turn ends as interrupted");
        Assert.Equal("interrupted", end.Payload["outcome"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsync($"/sessions/{id}/interrupt", null)).StatusCode);

        await http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "echo after" });
        await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the next turn runs");
        Assert.Contains(stream.Received, e => e.Type == "agent.output" && e.Text() == "after");
        Assert.DoesNotContain(stream.Received, e => e.Type == "agent.output" && e.Text() == "never");
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_with_the_reason()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var http = node.Http;

        await Problems.AssertAsync(await http.PostAsync("/sessions", JsonContent.Create(new { })), HttpStatusCode.BadRequest, "prompt");
        await Problems.AssertAsync(await http.PostAsync("/sessions", new StringContent("{\"prompt\":", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = "x", session_id = "../../etc" }), HttpStatusCode.BadRequest, "session_id");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = "x", guest = new { cpus = "many" } }), HttpStatusCode.BadRequest, "guest.cpus");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = "x", runtime = "cobol" }), HttpStatusCode.BadRequest, "runtime");
        await Problems.AssertAsync(await http.GetAsync("/sessions/nope"), HttpStatusCode.NotFound, "nope");
        await Problems.AssertAsync(await http.GetAsync("/sessions/nope/events"), HttpStatusCode.NotFound, "nope");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions/nope/messages", new { content = "hi" }), HttpStatusCode.NotFound, "nope");
        await Problems.AssertAsync(await http.GetAsync("/sessions?limit=0"), HttpStatusCode.BadRequest, "limit");
        await Problems.AssertAsync(await http.GetAsync("/sessions?cursor=garbage"), HttpStatusCode.BadRequest, "cursor");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/agent/sessions/nope/heartbeat", new { instance = "a" }), HttpStatusCode.Unauthorized, "Bearer");
    }

    [Fact]
    public async Task The_same_session_id_posted_twice_is_one_session_and_the_list_pages_with_a_cursor()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var http = node.Http;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"page-{i}-{Guid.NewGuid():N}"[..20];
            ids.Add(id);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/sessions", new { prompt = "true", session_id = id })).StatusCode);
        }
        var again = await http.PostAsJsonAsync("/sessions", new { prompt = "true", session_id = ids[0] });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await http.GetFromJsonAsync<JsonObject>("/sessions?limit=2" + (cursor is null ? "" : "&cursor=" + cursor)))!;
            seen.AddRange(page["sessions"]!.AsArray().Select(s => s!["session_id"]!.GetValue<string>()));
            cursor = page["next_cursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(ids.AsEnumerable().Reverse(), seen); // newest first, each once

        foreach (var id in ids) Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/sessions/{id}")).StatusCode);
        await Eventually.TrueAsync(() => ids.All(id => AgentProcesses.Of(id).Count == 0), Deadline, "every agent is gone");
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments_and_a_resume_after_the_end_gets_nothing_more()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string> { ["Sessions__SseKeepAlive"] = "00:00:00.2" });
        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "true" });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();

        await using (var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events"))
        {
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the turn completes");
            await stream.WaitForKeepAlivesAsync(2, Deadline);
        }

        var last = (await node.Http.DeleteAsync($"/sessions/{id}")).Content.ReadFromJsonAsync<JsonObject>();
        var lastId = (await last)!["last_event_id"]!.GetValue<long>();
        await using var after = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events?after={lastId}");
        await after.ReadToEndAsync(Deadline);
        Assert.Empty(after.Received);
    }
}
