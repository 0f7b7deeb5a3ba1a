using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Security;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Examples;

/// <summary>
/// samples/AgentCluster.InternalService, run as its own process (its built dll) against a two-node cluster on a real
/// Redis, loses the node it talks to mid-stream (SIGKILL) and still prints every event of its task once, in order.
/// Which node it talks to is made certain rather than guessed: the service starts while node A is the cluster's only
/// node, so its Orleans client knows A's gateway alone when it starts the session, and the session's grain is
/// activated on A. The client routes all calls to one grain through the gateway connection it picked for it first, so
/// the watch runs through A to a grain on A. Node B joins afterwards (found by the client only through Redis
/// clustering, once A is gone); A is killed while the agent streams its lines.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed partial class InternalServiceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private const string Owner = "internal-service";

    /// <summary>Lines printed before the gate opens (while B starts), and in all (after it, one each 50 ms).</summary>
    private const int LinesBeforeGate = 20, Lines = 200;

    [Fact]
    public async Task The_service_survives_the_death_of_its_node_and_prints_every_event_once_in_order()
    {
        var folder = Directory.CreateTempSubdirectory("agentcluster-service-").FullName;
        try
        {
            // The agent's machine runs as another user (the emulator's RunAs): it must be able to see the gate open.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherExecute);
            var gate = Path.Combine(folder, "gate");
            var (ownerKey, otherKey) = (ApiKeys.New(), ApiKeys.New());
            await using var redis = await RedisHost.StartAsync();
            await using var emulator = await EmulatorHost.StartInProcessAsync();
            var env = NodeCluster.NodeEnvironment(redis, emulator, new Dictionary<string, string>
            {
                ["Orleans__ClusterId"] = "c-" + Guid.NewGuid().ToString("N")[..8],
                [$"Auth__ApiKeys__{Owner}"] = ApiKeys.Sha256Hex(ownerKey),
                ["Auth__ApiKeys__someone-else"] = ApiKeys.Sha256Hex(otherKey),
            });
            int[] ports = [Ports.FreeLoopback(), Ports.FreeLoopback()];
            Task<NodeHost> StartNodeAsync(int i) =>
                NodeHost.StartAsync(new Dictionary<string, string>(env) { ["AGENTCLUSTER_CALLBACK_URLS"] = NodeHost.CallbackUrls(ports, i) }, ports[i]);

            await using var a = await StartNodeAsync(0);
            var sessionId = "svc-" + Guid.NewGuid().ToString("N")[..12];
            var prompt = $"for i in $(seq 1 {LinesBeforeGate}); do echo line-$i; done; while [ ! -e {gate} ]; do sleep 0.1; done; " +
                $"for i in $(seq {LinesBeforeGate + 1} {Lines}); do echo line-$i; sleep 0.05; done";
            await using var service = ChildProcess.Start("internal-service", "dotnet", [ServiceDll, prompt], new Dictionary<string, string>
            {
                ["REDIS_URL"] = redis.Url,
                ["Orleans__ClusterId"] = env["Orleans__ClusterId"],
                ["InternalService__Owner"] = Owner,
                ["InternalService__SessionId"] = sessionId,
            });

            await PrintedAsync(service, LinesBeforeGate, "the service prints the lines before the gate");
            Assert.Contains($"Session {sessionId} started on machine", a.Log); // the grain is on A
            await using var b = await StartNodeAsync(1);
            await File.WriteAllTextAsync(gate, "");
            await PrintedAsync(service, LinesBeforeGate + 20, "the service prints lines after the gate");
            var printedAtKill = Events(service.Log).Count;
            var killed = Stopwatch.StartNew();
            await a.KillAsync();
            await Eventually.TrueAsync(() => Task.FromResult(Events(service.Log).Count > printedAtKill), Deadline, () => $"an event after the kill:\n{service.Log}");
            var resumed = killed.Elapsed;

            var exitCode = await service.WaitForExitAsync(Deadline);
            Assert.True(exitCode == 0, $"the service exited with {exitCode}:\n{service.Log}");
            var events = Events(service.Log);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e["seq"]!.GetValue<long>()));
            Assert.Equal(Enumerable.Range(1, Lines).Select(i => $"line-{i}"), events.Where(e => Type(e) == "agent.output").Select(e => e["payload"]!["text"]!.GetValue<string>()));
            Assert.Equal("completed", events[^1]["payload"]!["reason"]?.GetValue<string>());
            Assert.Contains("Watch interrupted", service.Log); // the kill reached the service: it resumed, and printed nothing twice

            // Over HTTP, the session is its owner's only: the key of that name sees it, another key gets the 404 of no session.
            var view = JsonNode.Parse(await b.Client(ownerKey).GetStringAsync($"/sessions/{sessionId}"))!;
            Assert.Equal("terminated", view["status"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.NotFound, (await b.Client(otherKey).GetAsync($"/sessions/{sessionId}")).StatusCode);
            output.WriteLine($"{events.Count} events, {printedAtKill} printed before the kill; the next {resumed.TotalSeconds:0.0} s after it, the exit {killed.Elapsed.TotalSeconds:0.0} s after it");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// docs/internal-services.md's "Try it" line against a node on its embedded default (no Redis): the prompt it
    /// shows runs, and the session, owned by the service's owner, is not the keyless node's <c>local</c> caller's.
    /// </summary>
    [Fact]
    public async Task The_docs_first_command_runs_against_an_embedded_node()
    {
        var gatewayPort = Ports.FreeLoopback();
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string> { ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString() });
        var prompt = DocsPrompt().Match(RepositoryFiles.Read("docs/internal-services.md")).Groups[1].Value;
        ChildProcess Run(string? owner) => ChildProcess.Start("internal-service", "dotnet", [ServiceDll, prompt], new Dictionary<string, string>
        {
            ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString(),
            ["InternalService__SessionId"] = "svc-docs",
            ["InternalService__Owner"] = owner ?? "internal-service",
        });

        await using var service = Run(owner: null);
        var exitCode = await service.WaitForExitAsync(Deadline);
        Assert.True(exitCode == 0, $"the service exited with {exitCode}:\n{service.Log}");
        var events = Events(service.Log);
        Assert.Equal(prompt["echo ".Length..], events.Single(e => Type(e) == "agent.output")["payload"]!["text"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/sessions/svc-docs")).StatusCode); // not the keyless caller's (local)

        // The same service acting for another owner cannot take the session over, nor read it.
        await using var intruder = Run(owner: "someone-else");
        Assert.NotEqual(0, await intruder.WaitForExitAsync(Deadline));
        Assert.Contains("'svc-docs' is already in use", intruder.Log);
        Assert.Empty(Events(intruder.Log));
    }

    [GeneratedRegex(@"dotnet run --project samples/AgentCluster\.InternalService -- ""(echo [^""]+)""\n")]
    private static partial Regex DocsPrompt();

    /// <summary>The sample's dll in its own output folder (built by the test project's reference), of this build's configuration.</summary>
    private static string ServiceDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            return RepositoryFiles.Path($"samples/AgentCluster.InternalService/bin/{configuration}/net10.0/AgentCluster.InternalService.dll");
        }
    }

    private static Task PrintedAsync(ChildProcess service, int lines, string what) =>
        Eventually.TrueAsync(() => Task.FromResult(service.Log.Contains($"\"text\":\"line-{lines}\"")), Deadline, () => $"{what}:\n{service.Log}");

    /// <summary>The events the service printed: its stdout's JSON lines (its logs go to stderr and are not JSON).</summary>
    private static List<JsonNode> Events(string log) =>
        [.. log.Split('\n').Where(l => l.StartsWith("{\"seq\":", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l)!)];

    private static string Type(JsonNode e) => e["type"]!.GetValue<string>();
}
