using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Runtimes;
using AgentCluster.Tests.Security;
using Xunit.Abstractions;

namespace AgentCluster.Tests.ModelGateway;

/// <summary>
/// The model gateway on a real node (its own process, on its embedded default), the model played by a
/// <see cref="FakeAnthropic"/> that only the node's real key opens: a session's runtime (the Claude Code CLI, or the
/// built-in Anthropic runtime) reaches the model through its node with a model token, so nothing in the machine can
/// read the real key; the calls are metered into the session's view; the gateway refuses another session's token
/// and a terminated session's, relays a stream as it comes, and enforces max_model_usd.
/// </summary>
public sealed class ModelGatewayEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private const string SessionModelTokenPrefix = "amt_";
    private const string PricedModel = "claude-sonnet-4-5"; // $3 / $15 per million input / output tokens

    /// <summary>
    /// The tool's environment, then /proc's of every process of the machine from the tool up: its shell, the runtime's
    /// process (the CLI, which held the real key before the gateway) and the agent (the one with the session's id).
    /// On the embedded default the "machine" is the agent's process tree; the node above it is not the machine.
    /// Then the tool's uid.
    /// </summary>
    private const string ReadEveryEnvironment =
        "env; p=$$; while [ \"$p\" -gt 1 ]; do echo \"== process $p\"; tr '\\0' '\\n' < /proc/$p/environ; "
        + "grep -qa AGENTCLUSTER_SESSION_ID= /proc/$p/environ && break; p=$(awk '{print $4}' /proc/$p/stat); done; "
        + "echo \"== uid $(id -u)\"";

    /// <summary>
    /// Into <see cref="SweepFile"/> (too long for a tool result, which is capped), every process's environment the tool
    /// can read on the host, naming those it cannot. Only on a root node, whose machines run as nobody: a node that is
    /// not root runs them as its own user, who can read the node's environment (docs/agents.md: "The model gateway").
    /// </summary>
    private const string SweepHost =
        "for f in /proc/[0-9]*/environ; do if e=$(tr '\\0' '\\n' 2>/dev/null < $f); then echo \"== read $f\"; echo \"$e\"; "
        + "else echo \"== unreadable $f\"; fi; done > " + SweepFile;

    private const string SweepFile = "proc-sweep.txt";

    [Theory]
    [InlineData("claude-code")]
    [InlineData("anthropic")]
    public async Task A_tool_that_prints_the_environment_and_reads_proc_finds_no_real_key_and_the_calls_are_metered(string runtime)
    {
        var nodeKey = "sk-ant-node-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var fake = await FakeAnthropic.StartAsync(nodeKey);
        await using var node = await StartNodeAsync(fake);
        var command = Environment.IsPrivilegedProcess ? $"{ReadEveryEnvironment}; {SweepHost}" : ReadEveryEnvironment;
        fake.Script(Reply.ToolUse("Bash", new { command }), Reply.Text("Nothing to see."));

        var id = await CreateAsync(node, new
        {
            prompt = "Print your environment and every process's.",
            runtime,
            model = PricedModel,
            allowed_tools = new[] { "Bash" },
            env = new Dictionary<string, string> { ["CLAUDE_CODE_PATH"] = ClaudeCodeCli.Executable },
        });
        await using var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events");
        var completed = await WaitForTurnAsync(stream, node, 1);
        output.WriteLine(string.Join("\n", stream.Received.Select(e => e.Json())));
        Assert.Equal("success", completed.Payload["outcome"]!.GetValue<string>());

        // The tool ran and read what the machine holds: the model token and the gateway's address, no real key.
        var seen = stream.Received.Single(e => e.Type == "agent.tool_result").Payload["content"]!.GetValue<string>();
        Assert.Contains("PATH=", seen);
        Assert.Contains("AGENTCLUSTER_SESSION_ID=" + id, seen); // it read up to the agent's own environment
        if (runtime == "claude-code") Assert.Contains($"ANTHROPIC_API_KEY={SessionModelTokenPrefix}", seen); // what the CLI holds instead
        Assert.DoesNotContain(nodeKey, seen);
        var uid = Regex.Match(seen, @"^== uid ([0-9]+)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.NotEqual("0", uid); // the tool did not run as root
        Assert.DoesNotContain(nodeKey, Assert.Single(fake.Conversation[1].ToolResults).Content);
        var agent = AgentProcesses.Of(id)[0];
        Assert.False(ContainsText($"/proc/{agent}/environ", nodeKey), "the node's key is in the agent's environment");
        var workspace = Directory.ResolveLinkTarget($"/proc/{agent}/cwd", returnFinalTarget: true)!.FullName; // the agent runs in its workspace
        if (Environment.IsPrivilegedProcess)
        {
            // A root node runs its machines as nobody: the tool swept the host's /proc and could not read the node's
            // environment (nor any root process's). Checked for the key with the rest of the workspace below.
            var sweep = File.ReadAllText(Path.Combine(workspace, SweepFile));
            Assert.Equal("65534", uid); // nobody, FlyEmulator:RunAs's default
            Assert.Contains($"== unreadable /proc/{node.Pid}/environ\n", sweep);
            Assert.Contains($"== read /proc/{agent}/environ\n", sweep); // it did read what its own user may
        }
        foreach (var file in Directory.EnumerateFiles(workspace, "*", SearchOption.AllDirectories))
            Assert.False(ContainsText(file, nodeKey), $"the node's key is in the workspace's {Path.GetRelativePath(workspace, file)}");
        Assert.DoesNotContain(stream.Received, e => e.Json().Contains(nodeKey));

        // Every call reached the model with the node's key, added by the node; the runtime presented a model token.
        var calls = fake.Requests.Where(r => r.Method == "POST").ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, r => Assert.Equal(nodeKey, r.ApiKey));

        // The node metered what the calls used; the view shows it beside the machine's cost.
        var view = await ViewWhenAsync(node, id, v => v["model_usage"]?["output_tokens"]?.GetValue<long>() >= 40, "the session's view shows its model usage");
        var usage = view["model_usage"]!;
        if (runtime == "anthropic")
        {
            // Two calls of the fake's 100 input and 20 output tokens each, at $3 and $15 per million.
            Assert.Equal((200L, 40L), (usage["input_tokens"]!.GetValue<long>(), usage["output_tokens"]!.GetValue<long>()));
            Assert.Equal(0.0012m, view["model_cost_usd"]!.GetValue<decimal>());
        }
        else
        {
            Assert.True(usage["input_tokens"]!.GetValue<long>() >= 200, usage.ToJsonString()); // the CLI's side requests count too
            Assert.True(view["model_cost_usd"]!.GetValue<decimal>() >= 0.0012m, view.ToJsonString());
        }
        Assert.NotNull(view["cost_usd"]);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_gateway_refuses_other_credentials_relays_a_stream_as_it_comes_and_stops_at_the_model_budget()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        await using var node = await StartNodeAsync(fake);
        var held = Reply.Held("first words");
        fake.Script(Reply.Text("A is ready."), Reply.Text("B is ready."), held);

        var a = await CreateAsync(node, new { prompt = "hi", runtime = "anthropic", model = PricedModel });
        await using (var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{a}/events")) await WaitForTurnAsync(stream, node, 1);
        var b = await CreateAsync(node, new { prompt = "hi", runtime = "anthropic", model = PricedModel });
        await using (var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{b}/events")) await WaitForTurnAsync(stream, node, 1);
        var (gatewayA, tokenA, agentTokenA) = await ModelCredentialAsync(node, a);
        var (_, tokenB, _) = await ModelCredentialAsync(node, b);
        Assert.Equal($"{node.Url}/agent/sessions/{a}/anthropic", gatewayA);
        using var http = new HttpClient();

        // Refused: no credential, another session's model token, the session's own agent token.
        foreach (var (credential, because) in new[] { ((string?)null, "no credential"), (tokenB, "session B's model token"), (agentTokenA, "A's agent token") })
        {
            using var refused = await http.SendAsync(Messages(gatewayA, credential, stream: false));
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{because}: {refused.StatusCode}");
            await AssertAnthropicErrorAsync(refused, "authentication_error");
        }

        // Passed on: count_tokens with its query, and a stream whose first event arrives while the model still holds the rest.
        using (var counted = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, gatewayA + "/v1/messages/count_tokens?beta=true")
               {
                   Content = JsonContent.Create(new { model = PricedModel, messages = new[] { new { role = "user", content = "hi" } } }),
                   Headers = { { "x-api-key", tokenA }, { "anthropic-version", "2023-06-01" } },
               }))
        {
            Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
            Assert.True((await counted.Content.ReadFromJsonAsync<JsonObject>())!["input_tokens"]!.GetValue<long>() > 0);
            Assert.Equal(("/v1/messages/count_tokens?beta=true", fake.ApiKey), (fake.Requests[^1].Path, fake.Requests[^1].ApiKey));
        }
        using (var streamed = await http.SendAsync(Messages(gatewayA, tokenA, stream: true), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
            Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync());
            using var timeout = new CancellationTokenSource(Deadline);
            var first = new StringBuilder();
            while (await reader.ReadLineAsync(timeout.Token) is { } line && !line.Contains("text_delta")) first.AppendLine(line);
            Assert.Contains("event: message_start", first.ToString());
            held.Release(); // only now: the model held the rest of its answer until here
            var rest = await reader.ReadToEndAsync(timeout.Token);
            Assert.Contains("event: message_stop", rest);
        }
        // The agent's call and the stream's: 100 input tokens each.
        var afterStream = await ViewWhenAsync(node, a, v => v["model_usage"]?["input_tokens"]?.GetValue<long>() == 200, "the streamed call is metered");
        Assert.Equal(40, afterStream["model_usage"]!["output_tokens"]!.GetValue<long>());

        // A terminated session's model token is dead.
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{a}")).StatusCode);
        using (var dead = await http.SendAsync(Messages(gatewayA, tokenA, stream: false)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, dead.StatusCode);
            Assert.Contains("terminated", await AssertAnthropicErrorAsync(dead, "permission_error"));
        }

        // max_model_usd: a budget that the first call spends; the next call is refused and the turn ends saying why.
        var bad = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "hi", runtime = "anthropic", max_model_usd = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("max_model_usd", (await bad.Content.ReadFromJsonAsync<JsonObject>())!["field"]!.GetValue<string>());
        fake.Script(Reply.ToolUse("Bash", new { command = "echo spent" }), Reply.Text("never sent"));
        var c = await CreateAsync(node, new { prompt = "Spend.", runtime = "anthropic", model = PricedModel, allowed_tools = new[] { "Bash" }, max_model_usd = 0.0005m });
        await using (var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{c}/events"))
        {
            var ended = await WaitForTurnAsync(stream, node, 1);
            Assert.Equal("error", ended.Payload["outcome"]!.GetValue<string>());
            Assert.Contains("model budget", ended.Payload["reason"]!.GetValue<string>());
            var warning = stream.Received.Single(e => e.Type == "session.warning").Payload;
            Assert.Equal("model_budget", warning["kind"]!.GetValue<string>());
            Assert.Equal((0.0006m, 0.0005m), (warning["model_cost_usd"]!.GetValue<decimal>(), warning["max_model_usd"]!.GetValue<decimal>()));
        }
        Assert.Equal(1, fake.Pending); // the refused call never reached the model
        var spent = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{c}"))!;
        Assert.Equal((0.0006m, 0.0005m), (spent["model_cost_usd"]!.GetValue<decimal>(), spent["max_model_usd"]!.GetValue<decimal>()));
    }

    private static async Task<NodeHost> StartNodeAsync(FakeAnthropic fake) => await NodeHost.StartAsync(new Dictionary<string, string>
    {
        ["ANTHROPIC_API_KEY"] = fake.ApiKey,
        ["ANTHROPIC_BASE_URL"] = fake.Url.ToString().TrimEnd('/'),
    });

    private static async Task<string> CreateAsync(NodeHost node, object request)
    {
        var created = await node.Http.PostAsJsonAsync("/sessions", request);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
    }

    private async Task<SseEvent> WaitForTurnAsync(SseStream stream, NodeHost node, int turn)
    {
        try
        {
            return await stream.WaitForAsync(e => e.IsTurnCompleted(turn), Deadline, $"turn {turn} completes");
        }
        catch
        {
            output.WriteLine(string.Join("\n", stream.Received.Select(e => e.Json())) + "\n" + node.Log);
            throw;
        }
    }

    /// <summary>Plays the session's agent asking for its setup again: the gateway's address and a fresh model token.</summary>
    private static async Task<(string Gateway, string ModelToken, string AgentToken)> ModelCredentialAsync(NodeHost node, string id)
    {
        var agentToken = await KeyedNodeFixture.AgentTokenAsync(id);
        using var agent = node.Client(agentToken);
        var credentials = (await agent.GetFromJsonAsync<JsonObject>($"/agent/sessions/{id}/setup"))!["credentials"]!;
        return (credentials["ANTHROPIC_BASE_URL"]!.GetValue<string>(), credentials["ANTHROPIC_API_KEY"]!.GetValue<string>(), agentToken);
    }

    private static HttpRequestMessage Messages(string gateway, string? credential, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, gateway + "/v1/messages")
        {
            // Tools make it a conversation request, which the fake answers from its script.
            Content = JsonContent.Create(new
            {
                model = PricedModel, max_tokens = 100, stream,
                messages = new[] { new { role = "user", content = "hi" } },
                tools = new[] { new { name = "Bash", description = "run", input_schema = new { type = "object" } } },
            }),
        };
        request.Headers.Add("anthropic-version", "2023-06-01");
        if (credential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        return request;
    }

    /// <summary>Anthropic's error shape, of the given type; returns its message.</summary>
    private static async Task<string> AssertAnthropicErrorAsync(HttpResponseMessage response, string type)
    {
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("error", body["type"]!.GetValue<string>());
        Assert.Equal(type, body["error"]!["type"]!.GetValue<string>());
        return body["error"]!["message"]!.GetValue<string>();
    }

    /// <summary>The view of a session once <paramref name="ready"/> holds for it.</summary>
    private static async Task<JsonObject> ViewWhenAsync(NodeHost node, string id, Func<JsonObject, bool> ready, string because)
    {
        JsonObject? view = null;
        await Eventually.TrueAsync(async () => ready(view = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!), Deadline, because);
        return view!;
    }

    private static bool ContainsText(string file, string text)
    {
        try { return File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0; }
        catch (IOException) { return false; }
    }
}
