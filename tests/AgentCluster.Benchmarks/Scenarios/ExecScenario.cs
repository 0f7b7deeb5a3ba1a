using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Baselines;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 10. Reaching into a machine: <c>POST /sessions/{id}/exec {command: "echo hi"}</c> on an idle session, one after
/// another, through the agent and through Fly's exec (the emulator's), beside the same command run by a local
/// <c>bash -lc</c>; and a 50 MiB file downloaded through the node (<c>GET /sessions/{id}/files/…</c>), its throughput and
/// the node's memory while it streams, beside the same file read by <c>cat</c>.
/// </summary>
public sealed class ExecScenario : IScenario
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const int FileBytes = 50 * 1024 * 1024;

    public int Number => 10;
    public string Name => "exec";
    public string Description => "exec `echo hi` on an idle session (agent, Fly exec) and a 50 MiB download through the node, real agent, Redis mode";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var count = bench.Count(200, 5);
        var downloads = bench.Count(5, 1);
        var bash = await ProcessSpawn.MeasureAsync("bash", ["-lc", "echo hi"], count, cancellationToken);

        await using var fly = await EmulatorHost.StartAsync(processes: true);
        await using var redis = await RedisHost.StartAsync();
        // Idle sessions stay awake for the whole run: this measures reaching an awake machine.
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, new Dictionary<string, string> { ["Sessions__IdleTimeout"] = "01:00:00" });
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        var id = await SessionsClient.CreateAsync(http, "echo ready", cancellationToken);
        await using (var stream = await SseStream.OpenSessionAsync(http, id, cancellationToken))
            await stream.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken);

        var viaAgent = await ExecLatenciesAsync(http, id, "", count, cancellationToken);
        var viaFly = await ExecLatenciesAsync(http, id, "?via=fly", count, cancellationToken);
        bench.Log($"exec echo hi: agent p50 {viaAgent.P50:0.0} ms p99 {viaAgent.P99:0.0}; fly p50 {viaFly.P50:0.0} ms; bash -lc p50 {bash.P50:0.0} ms");

        // The file, written into the workspace through the node, then read back through it and by cat.
        var data = RandomNumberGenerator.GetBytes(FileBytes);
        (await http.PutAsync($"/sessions/{id}/files/big.bin", new ByteArrayContent(data), cancellationToken)).EnsureSuccessStatusCode();
        using var pwd = await http.PostAsJsonAsync($"/sessions/{id}/exec", new { command = "pwd" }, cancellationToken);
        var workspace = (await pwd.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["stdout"]!.GetValue<string>().Trim();
        var cat = await CatAsync(Path.Combine(workspace, "big.bin"), downloads, cancellationToken);

        var seconds = new List<double>();
        var baseline = node.ResidentBytes();
        node.ResetPeakResident();
        for (var i = 0; i < downloads; i++)
        {
            var begin = Stopwatch.GetTimestamp();
            using (var response = await http.GetAsync($"/sessions/{id}/files/big.bin", HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                response.EnsureSuccessStatusCode();
                await (await response.Content.ReadAsStreamAsync(cancellationToken)).CopyToAsync(Stream.Null, cancellationToken);
            }
            seconds.Add(Stopwatch.GetElapsedTime(begin).TotalSeconds);
        }
        var peak = node.PeakResidentBytes();
        var download = new Latencies(seconds.Select(s => s * 1000));
        double MiBps(double ms) => FileBytes / 1048576.0 / (ms / 1000);
        var growth = (peak - baseline) / 1048576.0;
        bench.Log($"50 MiB download: p50 {download.P50:0} ms ({MiBps(download.P50):0} MiB/s), cat p50 {cat.P50:0} ms; node RSS +{growth:0.0} MiB");
        await SessionsClient.DeleteAsync(http, id, cancellationToken);

        return new ScenarioReport(Name, Description,
        [
            new Metric("exec echo hi (agent) p50", viaAgent.P50, "ms").Against("bash -lc echo hi", bash.P50),
            new Metric("exec echo hi (agent) p99", viaAgent.P99, "ms").Against("bash -lc echo hi", bash.P99),
            new Metric("exec echo hi (Fly exec) p50", viaFly.P50, "ms").Against("bash -lc echo hi", bash.P50),
            new Metric("exec echo hi (Fly exec) p99", viaFly.P99, "ms"),
            new Metric("bash -lc echo hi p50", bash.P50, "ms"),
            new Metric("50 MiB download throughput p50", MiBps(download.P50), "MiB/s").Against("cat", MiBps(cat.P50)),
            new Metric("50 MiB download p50", download.P50, "ms").Against("cat", cat.P50),
            new Metric("node RSS growth during downloads", growth, "MiB").AtMost(25),
        ],
        [
            $"{count} execs one after another on one idle session (awake), each way; {downloads} downloads of one 50 MiB file of random bytes.",
            "Through the agent: node → the agent's control server on the machine's private address → bash -lc in its own process group.",
            "Fly exec: the emulator's exec endpoint (a process in the machine's environment), the fallback when the agent does not answer.",
            "cat: the same file read by cat on the same host, its bytes read through a pipe by the harness (first read not counted): the floor of any read.",
            "Node RSS growth: the node's peak resident memory during the downloads (VmHWM, reset before them) less its RSS before them.",
        ]);
    }

    private static async Task<Latencies> ExecLatenciesAsync(HttpClient http, string id, string query, int count, CancellationToken cancellationToken)
    {
        var samples = new List<double>(count);
        // One not counted: the first runs the code paths for the first time.
        for (var i = 0; i <= count; i++)
        {
            var begin = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync($"/sessions/{id}/exec{query}", new { command = "echo hi" }, cancellationToken);
            var result = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            if (!response.IsSuccessStatusCode || result?["stdout"]?.GetValue<string>() != "hi\n")
                throw new InvalidOperationException($"exec answered {(int)response.StatusCode}: {result}");
            if (i > 0) samples.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
        }
        return new Latencies(samples);
    }

    /// <summary><c>cat file</c>, its output read as bytes through a pipe (as the download's are): the floor of reading it.</summary>
    private static async Task<Latencies> CatAsync(string file, int count, CancellationToken cancellationToken)
    {
        var samples = new List<double>(count);
        for (var i = 0; i <= count; i++)
        {
            var begin = Stopwatch.GetTimestamp();
            using var process = Process.Start(new ProcessStartInfo("cat", [file]) { RedirectStandardOutput = true })!;
            await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (i > 0) samples.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
        }
        return new Latencies(samples);
    }
}
