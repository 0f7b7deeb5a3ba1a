using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Cli;

/// <summary>run, send, ls, get, rm and their --json, run as a user runs them: the built agentcluster against a node.</summary>
[Collection(CliNodeCollection.Name)]
public sealed class CliSessionTests(CliNodeFixture node)
{
    [Fact]
    public async Task Run_shows_the_turn_live_and_exits_0_when_it_succeeds()
    {
        var run = await node.RunAsync("run", "echo hello from the cli");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.StdoutLines.ToList();
        Assert.Contains("> echo hello from the cli", lines);
        Assert.Contains("hello from the cli", lines);
        Assert.Contains(lines, l => l.StartsWith("✓ turn 1 success", StringComparison.Ordinal));
        // Not a terminal: no colour, no spinner, nothing a script would have to strip.
        Assert.DoesNotContain('\u001b', run.Stdout + run.Stderr);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Run_exits_with_the_turns_outcome_when_it_fails()
    {
        var run = await node.RunAsync("run", "echo about to fail; exit 5");

        Assert.True(run.ExitCode == 3, run.ToString()); // ExitCodes.TurnError, whatever the command's own code
        Assert.Contains("about to fail", run.StdoutLines);
        Assert.Contains(run.StdoutLines, l => l.StartsWith("✗ turn 1 error · exit 5", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_shows_only_the_new_turn()
    {
        var id = await node.IdleSessionAsync("echo first turn");

        var send = await node.RunAsync("send", id, "echo second turn");

        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.Contains("second turn", send.StdoutLines);
        Assert.DoesNotContain("first turn", send.StdoutLines);
        Assert.Contains(send.StdoutLines, l => l.StartsWith("✓ turn 2 success", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_is_one_document_per_answer_and_json_lines_for_a_stream()
    {
        var run = await node.RunAsync("run", "--json", "echo in json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var events = run.StdoutLines.Select(l => JsonNode.Parse(l)!).ToList();
        var id = events[0]["session_id"]!.GetValue<string>();
        Assert.All(events, e => Assert.Equal(id, e["session_id"]!.GetValue<string>()));
        Assert.Equal(events.Select(e => e["seq"]!.GetValue<long>()).Order(), events.Select(e => e["seq"]!.GetValue<long>()));
        Assert.Contains(events, e => e["type"]!.GetValue<string>() == "agent.output" && e["payload"]!["text"]!.GetValue<string>() == "in json");
        Assert.Equal("turn.completed", events[^1]["type"]!.GetValue<string>());
        Assert.Equal("success", events[^1]["payload"]!["outcome"]!.GetValue<string>());

        var get = await node.RunAsync("get", id, "--json");
        Assert.True(get.ExitCode == 0, get.ToString());
        var session = JsonNode.Parse(get.Stdout)!;
        Assert.Equal(id, session["session_id"]!.GetValue<string>());
        Assert.Equal("success", session["result"]!["outcome"]!.GetValue<string>());

        var ls = await node.RunAsync("ls", "--all", "--json");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Contains(JsonNode.Parse(ls.Stdout)!["sessions"]!.AsArray(), s => s!["session_id"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task Ls_get_and_rm_show_and_end_a_session()
    {
        var created = await node.RunAsync("run", "--detach", "echo detached");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        Assert.Contains($"agentcluster logs -f {id}", created.Stderr);

        var ls = await node.RunAsync("ls", "--all");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Contains(ls.StdoutLines, l => l.Contains(id) && l.Contains("shell"));

        var get = await node.RunAsync("get", id);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains(get.StdoutLines, l => l.StartsWith("id ") && l.EndsWith(id));

        var rm = await node.RunAsync("rm", id);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Equal($"deleted {id}", rm.Stdout.Trim());
        Assert.Equal("terminated", (await node.SessionAsync(id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_session_is_one_line_on_stderr_with_the_problems_title()
    {
        var get = await node.RunAsync("get", "no-such-session");

        Assert.Equal(1, get.ExitCode);
        Assert.Equal("", get.Stdout);
        var line = Assert.Single(get.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: Session not found", line);
        Assert.Contains("no-such-session", line);
    }

    [Fact]
    public async Task Bad_input_is_one_line_on_stderr_naming_what_is_wrong()
    {
        var run = await node.RunAsync("run", "echo never", "--runtime", "no-such-runtime");

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: Invalid request", line);
        Assert.Contains("no-such-runtime", line);
    }

    [Fact]
    public async Task A_wrong_command_line_is_a_usage_error()
    {
        var run = await node.RunAsync("ls", "--limit", "many");

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_node_that_is_not_there_is_one_line_on_stderr()
    {
        var get = await CliProcess.RunAsync($"http://127.0.0.1:{Ports.FreeLoopback()}", "ls");

        Assert.Equal(1, get.ExitCode);
        var line = Assert.Single(get.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: cannot reach the node at http://127.0.0.1:", line);
    }
}
