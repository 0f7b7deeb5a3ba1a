using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.Tests.Conformance;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Emulator;

/// <summary>Fly's exec (<c>Machines_exec</c>) in the emulator: its fields against the spec, its errors, its limits, and what the command sees.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class MachineExecTests(EmulatorFixture fly)
{
    private const string ExecPath = "/apps/{app_name}/machines/{machine_id}/exec";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_exec_answers_the_specs_fields_whatever_the_exit_code()
    {
        var (app, id) = await StartedAsync();
        var request = JsonNode.Parse("""{"command":["sh","-c","echo out; echo err >&2; exit 3"],"timeout":10}""");
        OpenApiSchemas.Fly.AssertValid("MachineExecRequest", request);

        var answer = await ExecAsync(app, id, request!.ToJsonString());

        OpenApiSchemas.Fly.AssertValidResponse(ExecPath, "post", 200, answer);
        Assert.Equal(3, answer["exit_code"]!.GetValue<int>());
        Assert.Equal(0, answer["exit_signal"]!.GetValue<int>());
        Assert.Equal("out\n", answer["stdout"]!.GetValue<string>());
        Assert.Equal("err\n", answer["stderr"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_deprecated_cmd_is_split_like_shell_words_and_command_wins_over_it()
    {
        var (app, id) = await StartedAsync();

        var fromCmd = await ExecAsync(app, id, """{"cmd":"printf '%s|' 'a b' \"c\\\"d\" e\\ f"}""");
        var both = await ExecAsync(app, id, """{"command":["echo","from command"],"cmd":"echo from cmd"}""");

        Assert.Equal("a b|c\"d|e f|", fromCmd["stdout"]!.GetValue<string>());
        Assert.Equal("from command\n", both["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stdin_is_handed_to_the_command()
    {
        var (app, id) = await StartedAsync();

        var answer = await ExecAsync(app, id, """{"command":["cat"],"stdin":"line one\nline two"}""");

        Assert.Equal("line one\nline two", answer["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_command_sees_the_machines_environment_and_directory_and_runs_as_its_user()
    {
        var (app, id) = await StartedAsync(c => c with { Env = new() { ["GREETING"] = "hello" } });

        var answer = await ExecAsync(app, id, """{"command":["sh","-c","echo $GREETING $FLY_MACHINE_ID; pwd; id -u"]}""");

        var lines = answer["stdout"]!.GetValue<string>().Split('\n');
        Assert.Equal($"hello {id}", lines[0]);
        Assert.Equal(await fly.RootfsAsync(app, id), lines[1]);
        var mainProcess = (await fly.ProcessIdAsync(app, id))!.Value;
        Assert.Equal(UidOf(mainProcess), lines[2]);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_killed_with_its_tree_and_says_so_by_signal_9()
    {
        var (app, id) = await StartedAsync();

        var answer = await ExecAsync(app, id, """{"command":["sh","-c","nohup sleep 300 >/dev/null 2>&1 & echo $!; sleep 301"],"timeout":1}""");

        Assert.Equal(9, answer["exit_signal"]!.GetValue<int>());
        Assert.Equal(137, answer["exit_code"]!.GetValue<int>());
        var child = int.Parse(answer["stdout"]!.GetValue<string>().Trim());
        await Eventually.TrueAsync(() => !Processes.Alive(child), Deadline, "the command's background child was killed with its group");
    }

    [Fact]
    public async Task An_exec_ends_when_its_machine_stops()
    {
        var (app, id) = await StartedAsync();
        var exec = ExecAsync(app, id, """{"command":["sleep","317"],"timeout":600}""");
        await Eventually.TrueAsync(() => Processes.ChildrenOf(Environment.ProcessId).Any(p => Processes.CommandLine(p).EndsWith("sleep 317 ", StringComparison.Ordinal)),
            Deadline, "the exec runs");

        await fly.Machines.StopMachineAsync(app, id, new StopRequest { Timeout = TimeSpan.FromSeconds(1) });

        var answer = await exec.WaitAsync(Deadline);
        Assert.Equal(9, answer["exit_signal"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_program_that_does_not_exist_exits_127()
    {
        var (app, id) = await StartedAsync();

        var answer = await ExecAsync(app, id, """{"command":["no-such-program"]}""");

        Assert.Equal(127, answer["exit_code"]!.GetValue<int>());
        Assert.Contains("no-such-program", answer["stderr"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_machine_that_is_not_started_is_412_and_an_unknown_one_404()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 600") with { SkipLaunch = true });

        var stopped = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.ExecMachineAsync(app, m.Id, new MachineExecRequest { Command = ["true"] }));
        var unknown = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.ExecMachineAsync(app, "0000000000000", new MachineExecRequest { Command = ["true"] }));

        Assert.Equal(FlyErrorKind.FailedPrecondition, stopped.Kind);
        Assert.Equal("failed_precondition: unable to exec machine from current state: 'created'", stopped.FlyMessage);
        Assert.Equal(FlyErrorKind.NotFound, unknown.Kind);
    }

    [Theory]
    [InlineData("", "EOF")]
    [InlineData("""{"timeout":5}""", "command is required")]
    [InlineData("""{"command":["true"],"timeout":3601}""", "between 1 and 3600")]
    [InlineData("""{"command":["true"],"timeout":-1}""", "between 1 and 3600")]
    [InlineData("""{"command":["true"],"timeout":"soon"}""", "invalid JSON")]
    [InlineData("""{"cmd":"echo 'unclosed"}""", "unterminated")]
    public async Task A_bad_body_is_400(string body, string message)
    {
        var (app, id) = await StartedAsync();

        using var response = await fly.Http.PostAsync($"apps/{app}/machines/{id}/exec", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Output_is_capped_per_stream()
    {
        var (app, id) = await StartedAsync();
        var size = MachineExecs.MaxOutputBytes + 100_000;

        var answer = await ExecAsync(app, id, $$"""{"command":["sh","-c","head -c {{size}} /dev/zero | tr '\\0' a; echo done >&2"]}""");

        Assert.Equal(0, answer["exit_code"]!.GetValue<int>());
        Assert.Equal(MachineExecs.MaxOutputBytes, answer["stdout"]!.GetValue<string>().Length);
        Assert.Equal("done\n", answer["stderr"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exec_is_rate_limited_per_machine_like_Fly_s_other_machine_actions()
    {
        await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.RateLimits = true);
        using var http = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl, "/v1/") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "t");
        (await http.PostAsync("apps", Json("""{"name":"limits","org_slug":"personal"}"""))).EnsureSuccessStatusCode();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var made = await http.PostAsync("apps/limits/machines", Json("""{"config":{"image":"x","init":{"exec":["sleep","600"]}}}"""));
            ids.Add(JsonNode.Parse(await made.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
        }
        foreach (var id in ids) (await http.GetAsync($"apps/limits/machines/{id}/wait?state=started&timeout=30")).EnsureSuccessStatusCode();

        async Task<HttpStatusCode> ExecOn(string id)
        {
            using var response = await http.PostAsync($"apps/limits/machines/{id}/exec", Json("""{"command":["true"]}"""));
            return response.StatusCode;
        }

        // A burst of 3, then refused: the budget is this machine's (a refill may let one more through on a slow host).
        var burst = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) burst.Add(await ExecOn(ids[0]));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], burst.Take(3));
        Assert.Contains(HttpStatusCode.TooManyRequests, burst);
        Assert.Equal(HttpStatusCode.OK, await ExecOn(ids[1]));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(string App, string Id)> StartedAsync(Func<MachineConfig, MachineConfig>? configure = null)
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 600", c => (configure?.Invoke(c) ?? c) with { Restart = new MachineRestart { Policy = "no" } }));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        return (app, m.Id);
    }

    private async Task<JsonNode> ExecAsync(string app, string id, string json)
    {
        using var response = await fly.Http.PostAsync($"apps/{app}/machines/{id}/exec", Json(json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    private static string UidOf(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
}
