using System.Collections;
using System.Text;
using AgentCluster.Abstractions.Control;
using AgentCluster.Agent.Control;

namespace AgentCluster.Tests.Agent;

/// <summary>The agent's exec runner on real processes: what it passes in, what it hands back, and what it kills.</summary>
public sealed class ExecRunnerTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly string cwd = Directory.CreateTempSubdirectory("exec-cwd-").FullName;

    public void Dispose() => Directory.Delete(cwd, recursive: true);

    private ExecSpec Spec(IReadOnlyList<string> argv, string? stdin = null, IReadOnlyDictionary<string, string>? env = null, double timeoutSeconds = 20, int maxOutput = ControlProtocol.DefaultMaxOutputBytes) =>
        new(argv, cwd, env, stdin, TimeSpan.FromSeconds(timeoutSeconds), maxOutput);

    /// <summary>
    /// <c>bash -c</c>, not the <c>bash -lc</c> of a string command: a login shell here runs the host's profile, and a
    /// test that kills it mid-way could leave that profile's lock behind (pyenv's) for the next shells to wait on.
    /// </summary>
    private ExecSpec Script(string script, string? stdin = null, IReadOnlyDictionary<string, string>? env = null, double timeoutSeconds = 20, int maxOutput = ControlProtocol.DefaultMaxOutputBytes) =>
        Spec(["bash", "-c", script], stdin, env, timeoutSeconds, maxOutput);

    [Fact]
    public async Task Exit_code_and_the_two_streams_come_back_apart()
    {
        var result = await ExecRunner.RunAsync(Script("echo out; echo err >&2; exit 3"), null, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.False(result.TimedOut);
        Assert.False(result.Truncated);
        Assert.Equal("agent", result.Via);
    }

    [Fact]
    public async Task A_string_command_runs_in_a_login_shell()
    {
        var result = await ExecRunner.RunAsync(Spec(ExecCommand.Shell("shopt -q login_shell && echo login").ToArgv()), null, CancellationToken.None);

        Assert.Equal("login\n", result.Stdout);
    }

    [Fact]
    public async Task An_argv_is_run_as_it_is_without_a_shell()
    {
        var result = await ExecRunner.RunAsync(Spec(["printf", "%s|", "a b", "$HOME", "-x"]), null, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a b|$HOME|-x|", result.Stdout);
    }

    [Fact]
    public async Task A_program_that_does_not_exist_exits_127_like_a_shell_says()
    {
        var result = await ExecRunner.RunAsync(Spec(["no-such-program-here"]), null, CancellationToken.None);

        Assert.Equal(127, result.ExitCode);
        Assert.Contains("no-such-program-here", result.Stderr);
    }

    [Fact]
    public async Task Stdin_is_written_then_closed_and_empty_when_none_is_given()
    {
        var echoed = await ExecRunner.RunAsync(Spec(["cat"], stdin: "hello\nwörld"), null, CancellationToken.None);
        var none = await ExecRunner.RunAsync(Spec(["cat"], timeoutSeconds: 10), null, CancellationToken.None);

        Assert.Equal("hello\nwörld", echoed.Stdout);
        Assert.Equal(0, none.ExitCode);
        Assert.False(none.TimedOut); // cat got EOF at once
        Assert.Equal("", none.Stdout);
    }

    [Fact]
    public async Task The_command_sees_the_agents_environment_without_its_secrets_plus_the_requests_env()
    {
        var agentEnv = CurrentEnvironment();
        agentEnv["AGENTCLUSTER_SESSION_TOKEN"] = "session-secret";
        agentEnv["AGENTCLUSTER_CONTROL_KEY"] = "control-secret";
        agentEnv["ANTHROPIC_API_KEY"] = "model-secret";
        agentEnv["ANTHROPIC_AUTH_TOKEN"] = "model-token";
        agentEnv["KEPT_FROM_AGENT"] = "yes";

        var result = await ExecRunner.RunAsync(Spec(["env"], env: new Dictionary<string, string> { ["FROM_REQUEST"] = "a b=c" }), null, CancellationToken.None, agentEnv);

        var lines = result.Stdout.Split('\n');
        Assert.Contains("FROM_REQUEST=a b=c", lines);
        Assert.Contains("KEPT_FROM_AGENT=yes", lines);
        Assert.DoesNotContain("secret", result.Stdout);
        Assert.DoesNotContain("model-token", result.Stdout);
        Assert.DoesNotContain(lines, l => l.StartsWith("AGENTCLUSTER_", StringComparison.Ordinal) || l.StartsWith("ANTHROPIC_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_command_runs_in_the_working_directory_it_is_given()
    {
        var sub = Directory.CreateDirectory(Path.Combine(cwd, "sub dir")).FullName;

        var result = await ExecRunner.RunAsync(Script("pwd") with { Cwd = sub }, null, CancellationToken.None);

        Assert.Equal(sub + "\n", result.Stdout);
    }

    [Fact]
    public async Task A_timed_out_command_is_killed_with_its_whole_tree_also_what_ignores_SIGTERM_or_left_the_pipes()
    {
        // A background child that holds the pipes, one that let go of them (only its group finds it), and bash itself ignoring SIGTERM.
        var script = "sleep 300 & echo $!; nohup sleep 301 >/dev/null 2>&1 & echo $!; trap '' TERM; sleep 302";

        var result = await ExecRunner.RunAsync(Script(script, timeoutSeconds: 1), null, CancellationToken.None);

        Assert.True(result.TimedOut);
        Assert.Equal(128 + 9, result.ExitCode);
        Assert.InRange(result.DurationMs, 1000, 15_000);
        var pids = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        Assert.Equal(2, pids.Count);
        await Eventually.TrueAsync(() => pids.All(pid => !Processes.Alive(pid)), Deadline, "the background children killed with the group");
    }

    [Fact]
    public async Task A_cancelled_exec_kills_its_tree_and_throws()
    {
        using var caller = new CancellationTokenSource();
        var pids = new List<int>();
        var run = ExecRunner.RunAsync(Script("nohup sleep 300 >/dev/null 2>&1 & echo $!; sleep 301"), e =>
        {
            pids.Add(int.Parse(e.Text.Trim()));
            caller.Cancel();
            return ValueTask.CompletedTask;
        }, caller.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var pid = Assert.Single(pids);
        await Eventually.TrueAsync(() => !Processes.Alive(pid), Deadline, "the background child killed with the group");
    }

    [Fact]
    public async Task When_the_output_cannot_be_delivered_the_tree_is_killed_and_the_failure_thrown()
    {
        var pids = new List<int>();
        var run = ExecRunner.RunAsync(Script("nohup sleep 300 >/dev/null 2>&1 & echo $!; sleep 301"), e =>
        {
            pids.Add(int.Parse(e.Text.Trim()));
            throw new IOException("the client went away");
        }, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<IOException>(() => run.WaitAsync(Deadline));
        Assert.Equal("the client went away", failure.Message);
        var pid = Assert.Single(pids);
        await Eventually.TrueAsync(() => !Processes.Alive(pid), Deadline, "the background child killed with the group");
    }

    [Fact]
    public async Task Output_past_the_cap_is_counted_as_truncated_and_drained_so_the_command_finishes()
    {
        // 300 KB, far more than a pipe holds: the command would block if the rest were not read.
        var result = await ExecRunner.RunAsync(Script("head -c 300000 /dev/zero | tr '\\0' a; echo done >&2", maxOutput: 1000), null, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.True(result.Truncated);
        Assert.Equal(new string('a', 1000), result.Stdout);
        Assert.Equal("done\n", result.Stderr);
    }

    [Fact]
    public async Task The_cap_applies_to_streamed_output_too()
    {
        var streamed = new StringBuilder();
        var result = await ExecRunner.RunAsync(Script("head -c 300000 /dev/zero | tr '\\0' a", maxOutput: 5000), e =>
        {
            streamed.Append(e.Text);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.True(result.Truncated);
        Assert.Equal(5000, streamed.Length);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Streamed_output_arrives_as_it_comes_in_order_and_the_result_holds_none()
    {
        // Each line is written only once the one before it was received: the order is the command's, whatever the timing.
        var script = "echo one; until [ -e got1 ]; do sleep 0.01; done; echo two >&2; until [ -e got2 ]; do sleep 0.01; done; echo three";
        var events = new List<ExecOutputEvent>();
        var result = await ExecRunner.RunAsync(Script(script), e =>
        {
            events.Add(e);
            File.WriteAllText(Path.Combine(cwd, $"got{events.Count}"), "");
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.Equal([new("stdout", "one\n"), new("stderr", "two\n"), new("stdout", "three\n")], events);
    }

    [Fact]
    public async Task A_character_split_between_two_reads_is_decoded_whole()
    {
        const string text = "héllo € 𝄞 ünïcode";
        var chunks = new List<string>();
        var output = new ExecOutput("stdout", 1 << 20, (_, t) =>
        {
            chunks.Add(t);
            return ValueTask.CompletedTask;
        });

        await output.PumpAsync(new OneByteReads(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

        Assert.Equal(text, string.Concat(chunks));
        Assert.DoesNotContain(chunks, c => c.Contains('\uFFFD'));
    }

    [Fact]
    public async Task The_cap_never_cuts_a_character_in_two()
    {
        var bytes = Encoding.UTF8.GetBytes("ab€cd"); // € is bytes 2..4: a cap of 3 falls inside it
        var kept = new StringBuilder();
        var output = new ExecOutput("stdout", 3, (_, t) =>
        {
            kept.Append(t);
            return ValueTask.CompletedTask;
        });

        await output.PumpAsync(new MemoryStream(bytes), CancellationToken.None);

        Assert.Equal("ab", kept.ToString());
        Assert.True(output.Truncated);
    }

    [Fact]
    public async Task Multi_byte_output_of_a_real_process_arrives_whole_when_streamed()
    {
        // The three bytes of each € are written apart, so they reach the agent in separate reads.
        var script = "for i in 1 2 3; do printf '\\xe2'; sleep 0.02; printf '\\x82'; sleep 0.02; printf '\\xac'; done";
        var chunks = new List<string>();
        var result = await ExecRunner.RunAsync(Script(script), e =>
        {
            chunks.Add(e.Text);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("€€€", string.Concat(chunks));
        Assert.DoesNotContain(chunks, c => c.Contains('\uFFFD'));
    }

    private static Dictionary<string, string> CurrentEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string)e.Value!);

    /// <summary>A stream that hands out one byte per read, as a slow pipe might.</summary>
    private sealed class OneByteReads(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
