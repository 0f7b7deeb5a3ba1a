using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Control;

/// <summary>
/// <c>POST /sessions/{id}/exec</c> on the embedded default, over real agents: its answer, its stream, its timeout that kills
/// the whole tree, beside a running turn, on a sleeping session, through Fly's exec when the agent does not answer, and
/// every refusal.
/// </summary>
[Collection(ControlNodeCollection.Name)]
public sealed class ExecEndToEndTests(ControlNodeFixture node, ITestOutputHelper output)
{
    private HttpClient Http => node.Http;

    [Fact]
    public async Task A_command_runs_through_the_agent_and_is_logged_for_audit_without_its_env_or_output()
    {
        var (id, _) = await node.IdleSessionAsync();

        var (status, body) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "echo hi; echo oops >&2; exit 3", env = new Dictionary<string, string> { ["SECRET_VALUE"] = "s3cr3t" } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body!["exit_code"]!.GetValue<int>());
        Assert.Equal("hi\n", body["stdout"]!.GetValue<string>());
        Assert.Equal("oops\n", body["stderr"]!.GetValue<string>());
        Assert.False(body["timed_out"]!.GetValue<bool>());
        Assert.False(body["truncated"]!.GetValue<bool>());
        Assert.Equal("agent", body["via"]!.GetValue<string>());
        var audit = Assert.Single(await node.EventsAsync(id, "session.exec"));
        Assert.Equal("echo hi; echo oops >&2; exit 3", audit.Payload["command"]!.GetValue<string>());
        Assert.Equal(3, audit.Payload["exit_code"]!.GetValue<int>());
        Assert.DoesNotContain("s3cr3t", audit.Json());
        Assert.DoesNotContain("oops", audit.Payload.ToJsonString().Replace("echo oops", ""));
    }

    [Fact]
    public async Task Argv_cwd_env_and_stdin_reach_the_command_and_the_session_token_and_model_key_never_do()
    {
        var (id, _) = await node.IdleSessionAsync("mkdir -p sub/dir && echo ready");

        var (status, body) = await ControlNodeFixture.ExecAsync(Http, id, new
        {
            command = new[] { "bash", "-c", "pwd; echo \"$GREETING\"; cat; env" },
            cwd = "sub/dir",
            env = new Dictionary<string, string> { ["GREETING"] = "hello there" },
            stdin = "from stdin\n",
        });

        Assert.Equal(HttpStatusCode.OK, status);
        var lines = body!["stdout"]!.GetValue<string>().Split('\n');
        Assert.EndsWith("/sub/dir", lines[0]);
        Assert.Equal("hello there", lines[1]);
        Assert.Equal("from stdin", lines[2]);
        Assert.DoesNotContain(lines, line => line.StartsWith("AGENTCLUSTER_", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith("ANTHROPIC_API_KEY=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains("ast_", StringComparison.Ordinal) || line.Contains("ack_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_streamed_exec_sends_its_output_as_it_comes_then_its_exit()
    {
        var (id, _) = await node.IdleSessionAsync();

        var frames = await ControlNodeFixture.ExecStreamAsync(Http, id, new { command = "for i in 1 2 3; do echo line$i; sleep 0.2; done; echo err >&2" });

        Assert.Equal("exec.exit", frames[^1].EventType);
        var exit = JsonNode.Parse(frames[^1].Data)!;
        Assert.Equal(0, exit["exit_code"]!.GetValue<int>());
        var outputs = frames[..^1].Select(f => (f.EventType, Frame: JsonNode.Parse(f.Data)!)).ToList();
        Assert.All(outputs, o => Assert.Equal("exec.output", o.EventType));
        Assert.Equal("line1\nline2\nline3\n", string.Concat(outputs.Where(o => o.Frame["stream"]!.GetValue<string>() == "stdout").Select(o => o.Frame["text"]!.GetValue<string>())));
        Assert.True(outputs.Count(o => o.Frame["stream"]!.GetValue<string>() == "stdout") >= 3, "each line came as it was written");
        Assert.Equal("err\n", string.Concat(outputs.Where(o => o.Frame["stream"]!.GetValue<string>() == "stderr").Select(o => o.Frame["text"]!.GetValue<string>())));
        Assert.Single(await node.EventsAsync(id, "session.exec"));
    }

    [Fact]
    public async Task A_timed_out_command_has_its_whole_process_tree_killed()
    {
        var (id, _) = await node.IdleSessionAsync();

        // A background grandchild that ignores SIGTERM, and a foreground one: both must go.
        var frames = await ControlNodeFixture.ExecStreamAsync(Http, id, new
        {
            command = "bash -c 'trap \"\" TERM; sleep 300' & echo child=$!; sleep 300",
            timeout_s = 1,
        });

        var exit = JsonNode.Parse(frames[^1].Data)!;
        Assert.True(exit["timed_out"]!.GetValue<bool>());
        Assert.NotEqual(0, exit["exit_code"]!.GetValue<int>());
        var child = int.Parse(string.Concat(frames.Where(f => f.EventType == "exec.output").Select(f => JsonNode.Parse(f.Data)!["text"]!.GetValue<string>()))
            .Split('\n').First(l => l.StartsWith("child=", StringComparison.Ordinal))["child=".Length..]);
        await Eventually.TrueAsync(() => !Processes.Alive(child), ControlNodeFixture.Deadline, $"the background process {child} is killed with its command");
    }

    [Fact]
    public async Task Exec_runs_beside_a_running_turn_instead_of_waiting_for_it()
    {
        var (id, _) = await ControlNodeFixture.CreateAsync(Http, "echo started; sleep 30; echo finished");
        await using var stream = await SseStream.OpenSessionAsync(Http, id);
        await stream.WaitForAsync(e => e.Type == "agent.output" && e.Text().Contains("started"), ControlNodeFixture.Deadline, "the turn is running");

        var (status, body) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "echo beside" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("beside\n", body!["stdout"]!.GetValue<string>());
        Assert.DoesNotContain(stream.Received, e => e.IsTurnCompleted(1));
        await Http.PostAsync($"/sessions/{id}/interrupt", null);
    }

    [Fact]
    public async Task Exec_wakes_a_sleeping_session()
    {
        var (id, _) = await ControlNodeFixture.CreateAsync(Http, "echo one");
        await using (var stream = await SseStream.OpenSessionAsync(Http, id))
            await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "sleeping",
                ControlNodeFixture.Deadline, "idle past its timeout, the session sleeps");

        var woken = Stopwatch.StartNew();
        var (status, body) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "echo awake" });

        output.WriteLine($"exec on a sleeping session answered in {woken.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("awake\n", body!["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Fly_exec_runs_the_command_when_asked_and_when_the_agent_does_not_answer()
    {
        var (id, machine) = await node.IdleSessionAsync();

        var (asked, viaFly) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "echo through fly" }, "?via=fly");
        Assert.Equal(HttpStatusCode.OK, asked);
        Assert.Equal("fly", viaFly!["via"]!.GetValue<string>());
        Assert.Equal("through fly\n", viaFly["stdout"]!.GetValue<string>());
        var frames = await ControlNodeFixture.ExecStreamAsync(Http, id, new { command = "echo streamed; echo err >&2" }, "?via=fly");
        Assert.Equal(["exec.output", "exec.output", "exec.exit"], frames.Select(f => f.EventType));
        Assert.Equal("fly", JsonNode.Parse(frames[^1].Data)!["via"]!.GetValue<string>());

        // A wedged agent: frozen, it accepts connections (the kernel does) but never answers.
        var pid = await node.AgentPidAsync(machine);
        Assert.True(Signals.Freeze(pid), "the agent is frozen");
        try
        {
            var (status, body) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "echo still reachable" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("fly", body!["via"]!.GetValue<string>());
            Assert.Equal("still reachable\n", body["stdout"]!.GetValue<string>());

            var (refused, problem) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "echo agent only" }, "?via=agent");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
            Assert.Equal("Machine unreachable", problem!["title"]!.GetValue<string>());
        }
        finally
        {
            Signals.Thaw(pid);
        }
        var audit = await node.EventsAsync(id, "session.exec");
        Assert.Equal(["fly", "fly", "fly"], audit.Select(e => e.Payload["via"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{}", "command")]
    [InlineData("{\"command\": \"\"}", "command")]
    [InlineData("{\"command\": []}", "command")]
    [InlineData("{\"command\": 42}", "command")]
    [InlineData("{\"command\": \"true\", \"timeout_s\": 0}", "timeout_s")]
    [InlineData("{\"command\": \"true\", \"timeout_s\": 3601}", "timeout_s")]
    [InlineData("{\"command\": \"true\", \"cwd\": \"../etc\"}", "cwd")]
    [InlineData("{\"command\": \"true\", \"cwd\": \"/etc\"}", "cwd")]
    [InlineData("{\"command\": \"true\", \"env\": {\"A=B\": \"c\"}}", "env")]
    [InlineData("{\"command\": \"true\", \"max_output_bytes\": 0}", "max_output_bytes")]
    [InlineData("{\"command\": \"true\", \"unknown\": 1}", "unknown")]
    public async Task A_bad_request_is_a_400_naming_its_field(string json, string field)
    {
        var (id, _) = await node.SharedSessionAsync();

        var response = await Http.PostAsync($"/sessions/{id}/exec", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, problem.ToJsonString());
    }

    [Fact]
    public async Task Exec_is_refused_for_an_unknown_session_a_terminated_one_and_a_bad_via()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await ControlNodeFixture.ExecAsync(Http, "nosuchsession", new { command = "true" })).Status);

        var (id, _) = await node.IdleSessionAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await ControlNodeFixture.ExecAsync(Http, id, new { command = "true" }, "?via=ssh")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.DeleteAsync($"/sessions/{id}")).StatusCode);
        var (status, problem) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "true" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Session terminated", problem!["title"]!.GetValue<string>());
    }
}
