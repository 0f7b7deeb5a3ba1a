using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Fakes;
using OpenAI.Chat;

namespace AgentCluster.Tests.OpenAi;

/// <summary>
/// <c>/v1/chat/completions</c> driven by the official OpenAI .NET SDK against a real node whose agents' model is
/// scripted: a one-shot answer, a streamed follow-up turn of a session, and the errors an OpenAI client meets.
/// </summary>
[Collection(OpenAiNodeFixture.Collection)]
public sealed class OpenAiChatCompletionsTests(OpenAiNodeFixture fixture)
{
    private static readonly TimeSpan Deadline = OpenAiNodeFixture.Deadline;

    [Fact]
    public async Task A_completion_without_a_session_runs_a_one_shot_task_and_answers_its_text_without_the_tool_calls()
    {
        fixture.Model.Script(Reply.ToolUse("Bash", new { command = "echo hi > proof.txt" }), Reply.Text("Wrote proof.txt."));

        var result = await fixture.Chat().CompleteChatAsync([new SystemChatMessage("ignored: the preset says"), new UserChatMessage("Write hi into proof.txt")]);

        var completion = result.Value;
        Assert.Equal(("Wrote proof.txt.", ChatFinishReason.Stop, ChatMessageRole.Assistant), (completion.Content.Single().Text, completion.FinishReason, completion.Role));
        Assert.Empty(completion.ToolCalls); // the agent's Bash call is its own
        Assert.Equal((200, 40), (completion.Usage.InputTokenCount, completion.Usage.OutputTokenCount)); // two model calls of the fake's 100 + 20
        Assert.True(result.GetRawResponse().Headers.TryGetValue("X-Session-ID", out var sessionId));
        await Eventually.TrueAsync(async () => (await SessionAsync(sessionId!))["reason"]?.GetValue<string>() == "completed", Deadline,
            "the one-shot session ended after the answer");
        Assert.Equal("task", (await SessionAsync(sessionId!))["mode"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_streamed_follow_up_turn_of_a_session_comes_as_text_deltas_then_the_finish_and_usage()
    {
        var sessionId = await IdleSessionAsync();
        fixture.Model.Script(Reply.StreamedText("The answer is forty-two.", deltas: 4));

        var deltas = new List<string>();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in fixture.Chat(sessionId).CompleteChatStreamingAsync([new UserChatMessage("What is the answer?")]))
        {
            deltas.AddRange(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("The answer is forty-two.", string.Concat(deltas));
        Assert.True(deltas.Count(d => d.Length > 0) >= 2, $"the text came in pieces as the model streamed it: [{string.Join("|", deltas)}]");
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal((100, 20), (usage?.InputTokenCount, usage?.OutputTokenCount));
        var session = await SessionAsync(sessionId);
        Assert.Equal((2, "idle"), (session["turns"]!.GetValue<int>(), session["status"]!.GetValue<string>())); // a turn of the same session, still open
        Assert.Contains("What is the answer?", fixture.Model.Conversation[^1].Body.GetRawText(), StringComparison.Ordinal); // the model got the turn

        // The session named by the request's user field instead, answered whole.
        fixture.Model.Script(Reply.Text("Still forty-two."));
        var again = await fixture.Chat().CompleteChatAsync([new UserChatMessage("Sure?")], new ChatCompletionOptions { EndUserId = sessionId });
        Assert.Equal("Still forty-two.", again.Value.Content.Single().Text);
        Assert.Equal(3, (await SessionAsync(sessionId))["turns"]!.GetValue<int>());
    }

    [Fact]
    public async Task Errors_come_in_OpenAIs_shape_with_their_status()
    {
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat("no-such-session").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, missing.Status);
        Assert.Equal("session_not_found", (await ErrorOf(missing))["code"]!.GetValue<string>());

        var wrongKey = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat(key: "not-a-key").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, wrongKey.Status);
        Assert.Equal("invalid_api_key", (await ErrorOf(wrongKey))["code"]!.GetValue<string>());

        var ended = await IdleSessionAsync();
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.DeleteAsync($"/sessions/{ended}")).StatusCode);
        var terminated = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat(ended).CompleteChatStreamingAsync([new UserChatMessage("hi")]).GetAsyncEnumerator().MoveNextAsync().AsTask());
        Assert.Equal(409, terminated.Status);

        var (status, error) = await PostAsync("""{"model":"coder","messages":[{"role":"assistant","content":"hello"}]}""");
        Assert.Equal((HttpStatusCode.BadRequest, "messages", "invalid_request_error"), (status, error["param"]!.GetValue<string>(), error["type"]!.GetValue<string>()));
        (status, error) = await PostAsync("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal((HttpStatusCode.NotFound, "model_not_found", "model"), (status, error["code"]!.GetValue<string>(), error["param"]!.GetValue<string>()));
        (status, error) = await PostAsync("""{"model":"coder","messages":[{"role":"user","content":"hi"}],"user":"not a session id!"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "user"), (status, error["param"]!.GetValue<string>()));
        (status, error) = await PostAsync("""{"model":"coder","messages":[{"role":"user","content":"hi"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("JSON", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_turn_is_a_424_that_the_SDK_does_not_retry_as_another_turn()
    {
        var sessionId = await IdleSessionAsync();
        fixture.Model.Script(Reply.Error(400, "invalid_request_error", "prompt is too long"));

        var failed = await Assert.ThrowsAsync<ClientResultException>(() => fixture.Chat(sessionId).CompleteChatAsync([new UserChatMessage("Summarize everything.")]));

        Assert.Equal(424, failed.Status);
        var error = await ErrorOf(failed);
        Assert.Equal(("turn_failed", "server_error"), (error["code"]!.GetValue<string>(), error["type"]!.GetValue<string>()));
        Assert.Contains("turn 2", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, (await SessionAsync(sessionId))["turns"]!.GetValue<int>()); // one request, one turn: no retries
    }

    [Fact]
    public async Task The_stream_on_the_wire_is_data_frames_of_chunks_ending_with_DONE_and_keep_alives_fill_a_quiet_turn()
    {
        // The node sends a keep-alive comment after a second without a frame (the fixture's Sessions:SseKeepAlive):
        // the shell's two-second pause is such a quiet spell, as a long tool call would be.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"shell","stream":true,"messages":[{"role":"user","content":"echo one; sleep 2; echo two"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await fixture.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains(": keep-alive", lines);
        var data = lines.Where(l => l != ": keep-alive").ToList();
        Assert.All(data, l => Assert.StartsWith("data: ", l, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", data[^1]);
        var chunks = data[..^1].Select(l => JsonNode.Parse(l["data: ".Length..])!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Equal("one\ntwo\n", string.Concat(chunks.Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>())));
        Assert.Equal("stop", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());

        // The official client reads past the comments.
        var text = new StringBuilder();
        await foreach (var update in new ChatClient("shell", new ApiKeyCredential(fixture.Key), fixture.ClientOptions())
            .CompleteChatStreamingAsync([new UserChatMessage("echo one; sleep 2; echo two")]))
            text.AppendJoin("", update.ContentUpdate.Select(p => p.Text));
        Assert.Equal("one\ntwo\n", text.ToString());
    }

    [Fact]
    public async Task The_models_are_the_presets_and_the_runtimes()
    {
        var models = await fixture.Http.GetFromJsonAsync<JsonObject>("/v1/models");
        Assert.Equal("list", models!["object"]!.GetValue<string>());
        var ids = models["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        Assert.Equal("coder", ids[0]);
        Assert.Contains("shell", ids);
        Assert.Contains("anthropic", ids);
    }

    private async Task<string> IdleSessionAsync()
    {
        fixture.Model.Script(Reply.Text("ready"));
        var created = await fixture.Http.PostAsJsonAsync("/sessions", new { preset = "coder", prompt = "Say ready" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => (await SessionAsync(id))["result"]?["turn"]?.GetValue<int>() == 1, Deadline, "the first turn is done");
        return id;
    }

    private async Task<JsonObject> SessionAsync(string id) => (await fixture.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;

    private async Task<(HttpStatusCode Status, JsonObject Error)> PostAsync(string json)
    {
        using var response = await fixture.Http.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (response.StatusCode, body!["error"]!.AsObject());
    }

    private static Task<JsonObject> ErrorOf(ClientResultException e) =>
        Task.FromResult(JsonNode.Parse(e.GetRawResponse()!.Content.ToString())!["error"]!.AsObject());
}
