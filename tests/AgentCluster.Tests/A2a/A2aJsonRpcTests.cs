using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.OpenAi;

namespace AgentCluster.Tests.A2a;

/// <summary>
/// A2A's JSON-RPC by hand against a real node whose agents' model is scripted: the public agent card, the v0.3 method
/// names an older peer sends (<c>message/send</c>, <c>tasks/get</c>, <c>tasks/resubscribe</c>) answered in v0.3's
/// shapes, and the protocol's error codes.
/// </summary>
[Collection(OpenAiNodeFixture.Collection)]
public sealed class A2aJsonRpcTests(OpenAiNodeFixture fixture)
{
    private static readonly TimeSpan Deadline = OpenAiNodeFixture.Deadline;

    [Fact]
    public async Task The_agent_card_is_public_and_names_the_endpoint_the_presets_streaming_and_the_key_scheme()
    {
        using var anonymous = fixture.Node.Client();
        var card = await anonymous.GetFromJsonAsync<JsonObject>("/.well-known/agent-card.json");

        var endpoint = $"{fixture.Node.Url}/a2a";
        Assert.Equal([(endpoint, "JSONRPC", "1.0"), (endpoint, "JSONRPC", "0.3")],
            card!["supportedInterfaces"]!.AsArray().Select(i => (Str(i!, "url"), Str(i!, "protocolBinding"), Str(i!, "protocolVersion"))));
        Assert.Equal((endpoint, "JSONRPC"), (Str(card, "url"), Str(card, "preferredTransport"))); // what a v0.3 client reads
        Assert.True(card["capabilities"]!["streaming"]!.GetValue<bool>());
        Assert.Equal("coder", Str(card["skills"]![0]!, "id"));
        Assert.Equal("Bearer", Str(card["securitySchemes"]!["ApiKey"]!["httpAuthSecurityScheme"]!, "scheme"));
        Assert.NotNull(card["securityRequirements"]![0]!["schemes"]!["ApiKey"]);

        // Behind a proxy that ends TLS (Fly's), the caller's way in is https.
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/.well-known/agent-card.json") { Headers = { { "X-Forwarded-Proto", "https" } } };
        using var response = await anonymous.SendAsync(proxied);
        var behindProxy = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.StartsWith("https://", Str(behindProxy!, "url"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_v03_message_send_starts_a_session_and_the_next_one_in_its_context_is_its_next_turn()
    {
        fixture.Model.Script(Reply.Text("Hi from the model."));
        var task = await ResultAsync("message/send", """
            {"message": {"kind": "message", "role": "user", "messageId": "m-1", "parts": [{"kind": "text", "text": "Say hi"}],
                         "metadata": {"preset": "coder"}}}
            """);

        var context = Str(task, "contextId");
        Assert.Equal(("task", $"{context}-t1", "completed"), (Str(task, "kind"), Str(task, "id"), Str(task["status"]!, "state")));
        Assert.Equal("""[{"kind":"text","text":"Hi from the model."}]""", task["artifacts"]![0]!["parts"]!.ToJsonString());
        Assert.Equal(("message", "agent", "Hi from the model."),
            (Str(task["status"]!["message"]!, "kind"), Str(task["status"]!["message"]!, "role"), Str(task["status"]!["message"]!["parts"]![0]!, "text")));
        Assert.Equal("coder", (await SessionAsync(context))["preset"]!.GetValue<string>());

        // Not blocking: answered at once; the turn is the same session's second, read back with tasks/get.
        fixture.Model.Script(Reply.Text("Again."));
        var next = await ResultAsync("message/send", $$$"""
            {"message": {"kind": "message", "role": "user", "messageId": "m-2", "contextId": "{{{context}}}", "parts": [{"kind": "text", "text": "Once more"}]},
             "configuration": {"blocking": false}}
            """);
        Assert.Equal($"{context}-t2", Str(next, "id"));
        Assert.Contains(Str(next["status"]!, "state"), new[] { "submitted", "working", "completed" });
        JsonNode? read = null;
        await Eventually.TrueAsync(async () => Str((read = await ResultAsync("tasks/get", $$"""{"id": "{{context}}-t2"}"""))["status"]!, "state") == "completed",
            Deadline, "the second turn is done");
        Assert.Equal(("task", "Again."), (Str(read!, "kind"), Str(read!["artifacts"]![0]!["parts"]![0]!, "text")));
        Assert.Equal(2, (await SessionAsync(context))["turns"]!.GetValue<int>());
        Assert.Contains("Once more", fixture.Model.Conversation[^1].Body.GetRawText(), StringComparison.Ordinal); // the model got the turn
    }

    [Fact]
    public async Task A_context_the_client_names_is_a_session_of_that_id()
    {
        var context = $"a2a-{Guid.NewGuid():N}";
        var task = await ResultAsync("SendMessage", $$"""
            {"message": {"role": "ROLE_USER", "messageId": "m-1", "contextId": "{{context}}", "parts": [{"text": "echo named"}], "metadata": {"runtime": "shell"} } }
            """);

        Assert.Equal(($"{context}-t1", "TASK_STATE_COMPLETED", "named\n"),
            (Str(task["task"]!, "id"), Str(task["task"]!["status"]!, "state"), Str(task["task"]!["artifacts"]![0]!["parts"]![0]!, "text")));
        Assert.Equal("shell", (await SessionAsync(context))["runtime"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resubscribing_to_a_running_task_streams_it_from_where_it_is_to_its_final_status_in_v03_shapes()
    {
        var task = await ResultAsync("message/send", """
            {"message": {"kind": "message", "role": "user", "messageId": "m-1", "parts": [{"kind": "text", "text": "echo begun; sleep 3; echo done"}],
                         "metadata": {"runtime": "shell"}}, "configuration": {"blocking": false}}
            """);

        var frames = await StreamAsync("tasks/resubscribe", $$"""{"id": "{{Str(task, "id")}}"}""");

        Assert.All(frames, f => Assert.Equal("2.0", Str(f, "jsonrpc")));
        var results = frames.Select(f => f["result"]!).ToList();
        Assert.Equal(("task", Str(task, "id")), (Str(results[0], "kind"), Str(results[0], "id")));
        var answer = (results[0]["artifacts"]?[0]?["parts"]?[0]?["text"]?.GetValue<string>() ?? "") +
            string.Concat(results.Where(r => Str(r, "kind") == "artifact-update").Select(r => Str(r["artifact"]!["parts"]![0]!, "text")));
        Assert.Equal("begun\ndone\n", answer);
        Assert.Equal(("status-update", "completed", true), (Str(results[^1], "kind"), Str(results[^1]["status"]!, "state"), results[^1]["final"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Canceling_interrupts_the_running_turn_only_and_a_task_queued_behind_it_is_not_cancelable()
    {
        var running = await ResultAsync("message/send", """
            {"message": {"kind": "message", "role": "user", "messageId": "m-1", "parts": [{"kind": "text", "text": "sleep 120"}],
                         "metadata": {"runtime": "shell"}}, "configuration": {"blocking": false}}
            """);
        var context = Str(running, "contextId");
        var queued = await ResultAsync("message/send", $$$"""
            {"message": {"kind": "message", "role": "user", "messageId": "m-2", "contextId": "{{{context}}}", "parts": [{"kind": "text", "text": "echo after"}]},
             "configuration": {"blocking": false}}
            """);

        var refused = await ErrorAsync("tasks/cancel", $$"""{"id": "{{Str(queued, "id")}}"}""");
        Assert.Equal(-32002, refused["code"]!.GetValue<int>()); // interrupting now would stop the running turn instead
        var canceled = await ResultAsync("tasks/cancel", $$"""{"id": "{{Str(running, "id")}}"}""");
        Assert.Equal(("task", "canceled"), (Str(canceled, "kind"), Str(canceled["status"]!, "state")));

        // The session goes on: the queued turn runs next.
        JsonNode? after = null;
        await Eventually.TrueAsync(async () => Str((after = await ResultAsync("tasks/get", $$"""{"id": "{{Str(queued, "id")}}"}"""))["status"]!, "state") == "completed",
            Deadline, "the queued turn ran after the canceled one");
        Assert.Equal("after\n", Str(after!["artifacts"]![0]!["parts"]![0]!, "text"));
    }

    [Fact]
    public async Task Errors_come_as_JSON_RPC_errors_with_the_protocols_codes()
    {
        Assert.Equal(-32601, (await ErrorAsync("tasks/list", "{}"))["code"]!.GetValue<int>());
        var bad = await ErrorAsync("SendMessage", """{"message": {"role": "ROLE_USER", "messageId": "m"}}""");
        Assert.Equal((-32602, "params.message.parts"), (bad["code"]!.GetValue<int>(), Str(bad["data"]!, "field")));
        bad = await ErrorAsync("message/send", """{"message": {"parts": [{"kind": "text", "text": "hi"}], "contextId": "not a context!"}}""");
        Assert.Equal((-32602, "params.message.contextId"), (bad["code"]!.GetValue<int>(), Str(bad["data"]!, "field")));
        Assert.Equal(-32001, (await ErrorAsync("tasks/get", """{"id": "no-such-session-t1"}"""))["code"]!.GetValue<int>());
        Assert.Equal(-32001, (await ErrorAsync("GetTask", """{"id": "not-a-task"}"""))["code"]!.GetValue<int>());

        // A task that has ended cannot be canceled, nor subscribed to.
        var done = await ResultAsync("message/send", """{"message": {"parts": [{"kind": "text", "text": "echo done"}], "metadata": {"runtime": "shell"}}}""");
        Assert.Equal(-32002, (await ErrorAsync("tasks/cancel", $$"""{"id": "{{Str(done, "id")}}"}"""))["code"]!.GetValue<int>());
        Assert.Equal(-32004, (await ErrorAsync("SubscribeToTask", $$"""{"id": "{{Str(done, "id")}}"}"""))["code"]!.GetValue<int>());

        var (status, body) = await PostAsync("""{"jsonrpc": "2.0", "id": 7, "method": "GetTask", "params": {"id": "x-t1"}""");
        Assert.Equal((HttpStatusCode.OK, -32700), (status, body["error"]!["code"]!.GetValue<int>()));
        (status, body) = await PostAsync("""{"id": 7, "method": "GetTask", "params": {"id": "x-t1"}}""");
        Assert.Equal((-32600, 7), (body["error"]!["code"]!.GetValue<int>(), body["id"]!.GetValue<int>()));

        using var wrongKey = fixture.Node.Client("not-a-key");
        (status, body) = await PostAsync("""{"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": {"id": "x-t1"}}""", wrongKey);
        Assert.Equal((HttpStatusCode.Unauthorized, -32000), (status, body["error"]!["code"]!.GetValue<int>()));
    }

    private async Task<JsonNode> ResultAsync(string method, string @params)
    {
        var (status, body) = await PostAsync(Request(method, @params));
        Assert.True(status == HttpStatusCode.OK && body["result"] is not null, body.ToJsonString());
        return body["result"]!;
    }

    private async Task<JsonNode> ErrorAsync(string method, string @params)
    {
        var (_, body) = await PostAsync(Request(method, @params));
        Assert.True(body["error"] is not null, body.ToJsonString());
        return body["error"]!;
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string json, HttpClient? client = null)
    {
        using var response = await (client ?? fixture.Http).PostAsync("/a2a", new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    /// <summary>A streaming method's SSE: each <c>data:</c> frame a JSON-RPC response, to the end of the stream.</summary>
    private async Task<List<JsonNode>> StreamAsync(string method, string @params)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/a2a") { Content = new StringContent(Request(method, @params), Encoding.UTF8, "application/json") };
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        // Keep-alive comments (the fixture's node sends one after a second without a frame) are no frames.
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l != ": keep-alive").ToList();
        Assert.All(lines, l => Assert.StartsWith("data: ", l, StringComparison.Ordinal));
        return [.. lines.Select(l => JsonNode.Parse(l["data: ".Length..])!)];
    }

    private static string Request(string method, string @params) => $$"""{"jsonrpc": "2.0", "id": "r-1", "method": "{{method}}", "params": {{@params}}}""";

    private async Task<JsonObject> SessionAsync(string id) => (await fixture.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;

    private static string Str(JsonNode node, string name) => node[name]!.GetValue<string>();
}
