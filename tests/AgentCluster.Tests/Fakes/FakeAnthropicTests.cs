using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Fakes;

/// <summary>The fake Messages API speaks the wire format clients parse, and answers from its script only what it should.</summary>
public sealed class FakeAnthropicTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private FakeAnthropic fake = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        fake = await FakeAnthropic.StartAsync();
        http = new HttpClient { BaseAddress = fake.Url, Timeout = Deadline };
        http.DefaultRequestHeaders.Add("x-api-key", fake.ApiKey);
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await fake.DisposeAsync();
    }

    [Fact]
    public async Task Streams_a_tool_call_then_text_as_the_api_does()
    {
        fake.Script(Reply.ToolUse("Bash", new { command = "echo hi > proof.txt" }, text: "Running it.", id: "toolu_1"), Reply.Text("done"));

        var first = await StreamAsync(Conversation("make proof"));

        Assert.Equal("message_start", first[0].Type);
        Assert.Equal("ping", first[1].Type);
        Assert.Equal(["message_delta", "message_stop"], first[^2..].Select(e => e.Type));
        Assert.Equal("tool_use", first[^2].Data["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal("Running it.", string.Concat(Deltas(first, "text_delta", "text")));
        var json = Deltas(first, "input_json_delta", "partial_json");
        Assert.True(json.Count > 2, "tool input comes in several chunks");
        Assert.Equal("echo hi > proof.txt", JsonNode.Parse(string.Concat(json))!["command"]!.GetValue<string>());
        var toolStart = first.Single(e => e.Type == "content_block_start" && e.Data["content_block"]!["type"]!.GetValue<string>() == "tool_use");
        Assert.Equal("toolu_1", toolStart.Data["content_block"]!["id"]!.GetValue<string>());

        var second = await StreamAsync(Conversation("make proof", toolResult: ("toolu_1", "ok")));
        Assert.Equal("done", string.Concat(Deltas(second, "text_delta", "text")));
        Assert.Equal("end_turn", second[^2].Data["delta"]!["stop_reason"]!.GetValue<string>());

        var recorded = fake.Conversation;
        Assert.Equal(2, recorded.Count);
        Assert.Equal(fake.ApiKey, recorded[1].ApiKey);
        Assert.Equal(["Bash"], recorded[1].ToolNames);
        Assert.Contains("make proof", recorded[1].MessagesText);
        Assert.Equal(new FakeToolResult("toolu_1", "ok", false), Assert.Single(recorded[1].ToolResults));
        Assert.Equal(0, fake.Pending);
    }

    [Fact]
    public async Task A_reply_streams_its_text_in_as_many_deltas_as_asked()
    {
        fake.Script(Reply.StreamedText("one two three four five six seven eight", deltas: 8));

        var events = await StreamAsync(Conversation("write slowly"));

        var deltas = Deltas(events, "text_delta", "text");
        Assert.Equal(8, deltas.Count);
        Assert.Equal("one two three four five six seven eight", string.Concat(deltas));
    }

    [Fact]
    public async Task Answers_without_stream_with_a_json_message()
    {
        fake.Script(Reply.Text("plain") with { InputTokens = 7, OutputTokens = 3 });

        var body = Conversation("hello");
        body["stream"] = false;
        using var response = await http.PostAsJsonAsync("/v1/messages", body);

        response.EnsureSuccessStatusCode();
        var message = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("message", message!["type"]!.GetValue<string>());
        Assert.Equal("plain", message["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(7, message["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(3, message["usage"]!["output_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Side_requests_without_tools_do_not_consume_the_script()
    {
        fake.Script(Reply.Text("scripted"));

        var side = Conversation("give this session a title");
        side.Remove("tools");
        var sideEvents = await StreamAsync(side);
        var main = await StreamAsync(Conversation("real work"));

        Assert.Equal("OK", string.Concat(Deltas(sideEvents, "text_delta", "text")));
        Assert.Equal("scripted", string.Concat(Deltas(main, "text_delta", "text")));
        Assert.Equal(2, fake.Requests.Count);
        Assert.Single(fake.Conversation);
    }

    [Fact]
    public async Task Refuses_a_wrong_key_unknown_paths_and_an_exhausted_script_in_the_api_error_shape()
    {
        using var keyless = new HttpClient { BaseAddress = fake.Url, Timeout = Deadline };
        using var wrongKey = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true") { Content = JsonContent.Create(Conversation("x")) };
        wrongKey.Headers.Authorization = new("Bearer", "sk-wrong");
        await AssertErrorAsync(await keyless.SendAsync(wrongKey), HttpStatusCode.Unauthorized, "authentication_error");
        Assert.Equal("sk-wrong", fake.Requests[^1].ApiKey);

        await AssertErrorAsync(await http.GetAsync("/v1/models"), HttpStatusCode.NotFound, "not_found_error");
        await AssertErrorAsync(await http.PostAsJsonAsync("/v1/messages", Conversation("nothing scripted")), HttpStatusCode.BadRequest, "invalid_request_error");

        fake.Script(Reply.Error(529, "overloaded_error", "busy"));
        await AssertErrorAsync(await http.PostAsJsonAsync("/v1/messages", Conversation("x")), (HttpStatusCode)529, "overloaded_error");

        using var count = await http.PostAsJsonAsync("/v1/messages/count_tokens", Conversation("count me"));
        count.EnsureSuccessStatusCode();
        Assert.True((await count.Content.ReadFromJsonAsync<JsonObject>())!["input_tokens"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task A_held_reply_waits_for_release_or_notices_the_client_leave()
    {
        var released = Reply.Held("working on it");
        var abandoned = Reply.Held("long answer");
        fake.Script(released, abandoned);

        var whole = StreamAsync(Conversation("first"));
        await released.Holding.WaitAsync(Deadline);
        Assert.False(whole.IsCompleted);
        released.Release();
        var events = await whole;
        Assert.Equal("working on it", string.Concat(Deltas(events, "text_delta", "text")));
        Assert.Equal("message_stop", events[^1].Type);

        using var leaving = new CancellationTokenSource();
        var cut = StreamAsync(Conversation("second"), leaving.Token);
        await abandoned.Holding.WaitAsync(Deadline);
        await leaving.CancelAsync();
        await abandoned.Disconnected.WaitAsync(Deadline);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cut);
    }

    private static JsonObject Conversation(string prompt, (string Id, string Content)? toolResult = null)
    {
        var messages = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = prompt } };
        if (toolResult is var (id, content))
        {
            messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray { new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = "Bash", ["input"] = new JsonObject() } } });
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = new JsonArray { new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id, ["content"] = content } } });
        }
        return new JsonObject
        {
            ["model"] = "claude-test",
            ["max_tokens"] = 1024,
            ["stream"] = true,
            ["system"] = "be brief",
            ["tools"] = new JsonArray { new JsonObject { ["name"] = "Bash", ["input_schema"] = new JsonObject { ["type"] = "object" } } },
            ["messages"] = messages,
        };
    }

    private async Task<List<(string Type, JsonObject Data)>> StreamAsync(JsonObject body, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("/v1/messages?beta=true", body, cancellationToken);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, JsonObject)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        string? type = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line["data: ".Length..])!.AsObject();
                Assert.Equal(type, data["type"]!.GetValue<string>());
                events.Add((type!, data));
            }
        }
        return events;
    }

    private static List<string> Deltas(List<(string Type, JsonObject Data)> events, string deltaType, string field) =>
        events.Where(e => e.Type == "content_block_delta" && e.Data["delta"]!["type"]!.GetValue<string>() == deltaType)
            .Select(e => e.Data["delta"]![field]!.GetValue<string>()).ToList();

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("error", body.GetProperty("type").GetString());
            Assert.Equal(type, body.GetProperty("error").GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("message").GetString()));
        }
    }
}
