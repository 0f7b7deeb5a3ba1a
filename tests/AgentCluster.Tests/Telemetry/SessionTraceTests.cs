using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Telemetry;

/// <summary>
/// One trace per request, end to end: a node (its own process, on its embedded emulator) and the real agent process
/// of its session both export by OTLP to a <see cref="FakeOtlpCollector"/>, the node because of the standard
/// OTEL_* variables, the agent because the node hands them on. The session runs the built-in Anthropic runtime
/// against a <see cref="FakeAnthropic"/>, so that its turn calls a tool.
/// </summary>
public sealed class SessionTraceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private const string Prompt = "Write hi into proof.txt";
    private const string EnvSecret = "env-value-never-traced-4711";

    [Fact]
    public async Task A_session_is_one_trace_from_its_request_through_grain_and_machine_create_into_the_agents_turns_and_tools()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        await using var model = await FakeAnthropic.StartAsync();
        model.Script(Reply.ToolUse("Bash", new { command = "echo hi > proof.txt" }), Reply.Text("Wrote proof.txt."), Reply.Text("It says hi."));
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["ANTHROPIC_API_KEY"] = model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = model.Url.ToString().TrimEnd('/'),
        });

        var created = await node.Http.PostAsJsonAsync("/sessions", new
        {
            prompt = Prompt,
            runtime = "anthropic",
            model = "claude-test-model",
            allowed_tools = new[] { "Bash" },
            // The agent's own batch delay, so that its spans leave soon; and a value that must never be exported.
            env = new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "100", ["SOME_SETTING"] = EnvSecret },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events");
        try
        {
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "turn 1 completes");
            Assert.Equal(HttpStatusCode.Accepted, (await node.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "What does it say?" })).StatusCode);
            await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "turn 2 completes");
        }
        catch
        {
            output.WriteLine(string.Join("\n", stream.Received.Select(e => e.Data.ToJsonString())) + "\n" + node.Log);
            throw;
        }
        var token = AgentProcesses.Variable(AgentProcesses.Of(id)[0], "AGENTCLUSTER_SESSION_TOKEN");

        // Spans leave each process in batches, a parent often after its children: wait until the traces are whole.
        await Eventually.TrueAsync(() => Task.FromResult(Turn(collector.Spans, 1) is not null && Turn(collector.Spans, 2) is not null
                && collector.Spans.Any(s => s.Name == "agent.tool Bash") && collector.Spans.Any(s => s.Name == "agent.start")
                && collector.Spans.Count(s => s.IsRoot && s.Name.StartsWith("POST /sessions/", StringComparison.Ordinal)) == 2
                && Dangling(collector.Spans).Count == 0),
            Deadline, () => "every span of the session reaches the collector, each with its parent; so far: "
                + string.Join(", ", collector.Spans.Select(s => s.Name).Distinct()) + "; without their parent: "
                + string.Join(", ", Dangling(collector.Spans).Select(s => s.Name)));
        var spans = collector.Spans;
        // Every trace starts at a request a client made: none at the cluster's chatter, the agents' polls or heartbeats.
        var roots = spans.Where(s => s.IsRoot).Select(s => s.Name).Distinct().Order().ToList();
        Assert.True(roots.All(r => r is "POST /sessions/" or "POST /sessions/{id}/messages" or "GET /sessions/{id}/events"), "roots: " + string.Join(", ", roots));

        // The create: POST /sessions is the root; the grain call, the session's span, the machine create and its
        // Fly call, the queued turn, the agent's start-up and its turn and tool are all in its trace, each under its parent.
        var create = spans.Single(s => s is { Name: "POST /sessions" or "POST /sessions/", IsRoot: true, Service: "agentcluster-node" });
        var trace = TraceOf(spans, create);
        output.WriteLine($"POST /sessions: {trace.Count} spans\n{Tree(trace, create)}");
        var grainCall = trace.First(s => s.Name.Contains("ISessionGrain/Start") && s.Kind == ServerKind);
        var start = Under(trace, "session.start", grainCall);
        Assert.Equal(id, start.Attributes["session.id"]);
        var machineCreate = Under(trace, "machine.create", start);
        var flyCreate = trace.Single(s => s.ParentSpanId == machineCreate.SpanId && s.Kind == ClientKind && s.Name == "POST");
        Assert.EndsWith("/machines", flyCreate.Attributes["url.full"]);
        var agentStart = Under(trace, "agent.start", machineCreate);
        Assert.Equal("agentcluster-agent", agentStart.Service);
        var turn1 = Turn(trace, 1)!;
        Assert.Equal(trace.Single(s => s.Name == "turn.enqueue" && s.Attributes["turn"] == "1").SpanId, turn1.ParentSpanId);
        Assert.True(Descends(trace, turn1, create));
        var tool = Under(trace, "agent.tool Bash", turn1);
        Assert.NotEqual(ErrorStatus, tool.StatusCode); // echo succeeded
        // The agent's event posts: traced, under the turn whose events they carry (its heartbeats and polls are not).
        var push = trace.First(s => s.Name == "agent.push" && s.ParentSpanId == turn1.SpanId);
        Assert.Contains(trace, s => s.Name.StartsWith("POST /agent/sessions/") && s.ParentSpanId == push.SpanId);
        Assert.DoesNotContain(spans, s => s.Name.Contains("heartbeat") || s.Name.Contains("turns/next") || s.Name.Contains("interrupt"));

        // The follow-up: its turn is in the trace of the request that queued it.
        var message = spans.Single(s => s is { IsRoot: true, Service: "agentcluster-node" } && s.Name == "POST /sessions/{id}/messages");
        var followUp = TraceOf(spans, message);
        output.WriteLine($"POST /sessions/{{id}}/messages: {followUp.Count} spans\n{Tree(followUp, message)}");
        Assert.True(Descends(followUp, Turn(followUp, 2)!, message));

        // Nothing secret left either process: not the model key, the agent's token, an env value or the prompt.
        Assert.NotNull(token);
        Assert.All([model.ApiKey, token!, EnvSecret, Prompt], secret => Assert.False(collector.Received(secret), "exported: " + secret[..4] + "…"));
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    private const int ServerKind = 2; // OTLP SpanKind: 1 internal, 2 server, 3 client
    private const int ClientKind = 3;
    private const int ErrorStatus = 2;

    private static CollectedSpan? Turn(IEnumerable<CollectedSpan> spans, int turn) =>
        spans.FirstOrDefault(s => s.Name == "agent.turn" && s.Attributes.GetValueOrDefault("turn") == turn.ToString());

    /// <summary>
    /// Spans of the POST requests' traces whose parent was not (yet) exported: none once both processes flushed, else
    /// a trace is broken. (The event stream's request is still open: its span, the parent of its trace, comes last.)
    /// </summary>
    private static List<CollectedSpan> Dangling(IReadOnlyList<CollectedSpan> spans)
    {
        var posts = spans.Where(s => s.IsRoot && s.Name.StartsWith("POST ", StringComparison.Ordinal)).Select(s => s.TraceId).ToHashSet();
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return spans.Where(s => posts.Contains(s.TraceId) && !s.IsRoot && !ids.Contains(s.ParentSpanId)).ToList();
    }

    private static List<CollectedSpan> TraceOf(IEnumerable<CollectedSpan> spans, CollectedSpan root) =>
        spans.Where(s => s.TraceId == root.TraceId).ToList();

    private static CollectedSpan Under(List<CollectedSpan> trace, string name, CollectedSpan parent) =>
        trace.FirstOrDefault(s => s.Name == name && s.ParentSpanId == parent.SpanId)
        ?? throw new Xunit.Sdk.XunitException($"no span '{name}' under '{parent.Name}'");

    private static bool Descends(List<CollectedSpan> trace, CollectedSpan span, CollectedSpan ancestor)
    {
        for (var at = span; at is not null; at = trace.FirstOrDefault(p => p.SpanId == at.ParentSpanId))
            if (at.SpanId == ancestor.SpanId) return true;
        return false;
    }

    /// <summary>The trace as an indented tree (service, span name), for the test's output and docs/observability.md.</summary>
    private static string Tree(List<CollectedSpan> trace, CollectedSpan root)
    {
        var text = new StringBuilder();
        void Write(CollectedSpan span, int depth)
        {
            text.Append(' ', depth * 2).Append(span.Name).Append("  [").Append(span.Service).AppendLine("]");
            foreach (var child in trace.Where(s => s.ParentSpanId == span.SpanId)) Write(child, depth + 1);
        }
        Write(root, 0);
        return text.ToString();
    }
}
