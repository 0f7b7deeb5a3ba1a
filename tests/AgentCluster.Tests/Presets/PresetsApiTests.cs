using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Security;

namespace AgentCluster.Tests.Presets;

/// <summary>Presets through a real node: listed behind the API key, started from, refused with the field named, and a session's model key never shown.</summary>
[Collection(KeyedNodeCollection.Name)]
public sealed class PresetsApiTests(KeyedNodeFixture node)
{
    [Fact]
    public async Task Presets_are_listed_and_shown_to_callers_with_a_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Anonymous.GetAsync("/presets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Anonymous.GetAsync("/presets/shell")).StatusCode);

        var list = (await node.A.GetFromJsonAsync<JsonObject>("/presets"))!["presets"]!.AsArray();
        Assert.Equal(["code-assistant", "code-reviewer", "shell"], list.Select(p => p!["id"]!.GetValue<string>()));

        var reviewer = (await node.B.GetFromJsonAsync<JsonObject>("/presets/code-reviewer"))!;
        Assert.Equal(("claude-code", "plan", "small"),
            (reviewer["runtime"]!.GetValue<string>(), reviewer["permission_mode"]!.GetValue<string>(), reviewer["tier"]!.GetValue<string>()));
        Assert.Contains("Edit", reviewer["disallowed_tools"]!.AsArray().Select(t => t!.GetValue<string>()));

        var missing = await Problems.AssertAsync(await node.A.GetAsync("/presets/nope"), HttpStatusCode.NotFound, "There is no preset 'nope'");
        Assert.Contains("code-assistant, code-reviewer, shell", missing["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_session_started_from_a_preset_shows_the_preset_and_the_model()
    {
        var created = await node.A.PostAsJsonAsync("/sessions", new { prompt = "echo ready", preset = "shell", model = "claude-test-model", region = "iad" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = view["session_id"]!.GetValue<string>();
        Assert.Equal(("shell", "claude-test-model", "shell"),
            (view["preset"]!.GetValue<string>(), view["model"]!.GetValue<string>(), view["runtime"]!.GetValue<string>()));

        var shown = (await node.A.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.Equal(("shell", "claude-test-model"), (shown["preset"]!.GetValue<string>(), shown["model"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await node.A.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task Bad_sizes_presets_and_overrides_are_400s_naming_the_field()
    {
        var cases = new (object Body, string Field, string Mentions)[]
        {
            (new { prompt = "x", guest = new { cpu_kind = "shared", cpus = 2, memory_mb = 1000 } }, "guest.memory_mb", "a multiple of 256, for 2 shared CPUs (got 1000)"),
            (new { prompt = "x", guest = new { cpu_kind = "performance", cpus = 3 } }, "guest.cpus", "guest.cpus must be one of"),
            (new { prompt = "x", tier = "huge" }, "tier", "the tiers are: large, medium, small"),
            (new { prompt = "x", region = "mars" }, "region", "'mars' is not a Fly region"),
            (new { prompt = "x", preset = "nope" }, "preset", "the presets are: code-assistant, code-reviewer, shell"),
            (new { prompt = "x", preset = "code-reviewer", permission_mode = "bypassPermissions" }, "permission_mode", "comes from preset 'code-reviewer'"),
            (new { prompt = "x", preset = "shell", runtime = "claude-code" }, "runtime", "may not change its runtime"),
            (new { prompt = "x", repository = new { url = "https://user:pw@example.com/r.git" } }, "repository.url", "without a password"),
        };
        foreach (var (body, field, mentions) in cases)
        {
            var problem = await Problems.AssertAsync(await node.A.PostAsJsonAsync("/sessions", body), HttpStatusCode.BadRequest, mentions);
            Assert.Equal(field, problem["field"]!.GetValue<string>());
        }
        await Problems.AssertAsync(await node.A.PostAsJsonAsync("/sessions", new { prompt = "x", repository = new { uri = "x" } }), HttpStatusCode.BadRequest, "'uri'");
    }

    [Fact]
    public async Task A_sessions_api_key_appears_in_no_answer_event_or_log()
    {
        var secret = "sk-ant-test-" + Guid.NewGuid().ToString("N");
        var answers = new List<string>();
        async Task<HttpResponseMessage> Post(object body)
        {
            var response = await node.A.PostAsJsonAsync("/sessions", body);
            answers.Add(await response.Content.ReadAsStringAsync());
            return response;
        }

        // Refused for other reasons, with the key in the body, and refused for the key itself.
        await Problems.AssertAsync(await Post(new { prompt = "x", api_key = secret, guest = new { cpus = 3 } }), HttpStatusCode.BadRequest, "guest.cpus");
        await Problems.AssertAsync(await Post(new { prompt = "x", api_key = secret, preset = "nope" }), HttpStatusCode.BadRequest, "preset");
        await Problems.AssertAsync(await Post(new { prompt = "x", api_key = secret + new string('x', 1024) }), HttpStatusCode.BadRequest, "api_key");
        await Problems.AssertAsync(await Post(new { prompt = "x", api_key = secret + " tail" }), HttpStatusCode.BadRequest, "api_key");
        await Problems.AssertAsync(await Post(new { prompt = "x", api_key = 42 }), HttpStatusCode.BadRequest, "api_key");

        var created = await Post(new { prompt = "echo ready", preset = "shell", api_key = secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonNode.Parse(answers[^1])!["session_id"]!.GetValue<string>();
        await using (var stream = await SseStream.OpenAsync(node.A, $"/sessions/{id}/events"))
        {
            await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "idle", KeyedNodeFixture.Deadline, "the first turn is done");
            answers.AddRange(stream.Received.Select(e => e.Data.ToJsonString()));
        }
        answers.Add(await node.A.GetStringAsync($"/sessions/{id}"));
        answers.Add(await node.A.GetStringAsync("/sessions?limit=100"));
        answers.Add(await (await node.A.DeleteAsync($"/sessions/{id}")).Content.ReadAsStringAsync());

        Assert.All(answers, answer => Assert.DoesNotContain(secret, answer));
        Assert.DoesNotContain(secret, node.Node.Log);
    }
}
