using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 8. The model gateway (issue 15): what a runtime's streamed Messages call costs when it goes through its node
/// (which checks the model token with the session, adds the real key, relays the stream chunk by chunk and meters it)
/// rather than straight to the model. A <see cref="ScriptedModel"/> sends its first text at once and holds the rest
/// until the caller has read that text; measured: the time to the first text_delta, direct and through the node,
/// one call at a time (a relay that buffered would deliver
/// its first token only with the rest).
/// </summary>
public sealed class ModelGatewayScenario : IScenario
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public int Number => 8;
    public string Name => "model-gateway";
    public string Description => "streamed Messages call: time to first token through the node's model gateway vs. the scripted model directly";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var count = bench.Count(200, 5);
        await using var model = await ScriptedModel.StartAsync("Hello, world.", pieces: 2, holdsRest: true);
        await using var fly = await EmulatorHost.StartAsync(processes: true);
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis: null, model.NodeSettings());
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        // A session of the built-in model runtime; the harness plays its agent asking for its setup (a model token and
        // the gateway's address) once the agent has run its first turn.
        var id = await SessionsClient.CreateAsync(http, "Say hello.", cancellationToken, runtime: AgentRuntimes.Anthropic);
        await using (var stream = await SseStream.OpenSessionAsync(http, id, cancellationToken))
            await stream.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken);
        var agentToken = (await fly.SessionMachineAsync(id, cancellationToken)).Config!.Env![AgentEnvironment.SessionToken];
        using var agent = bench.Client(node.Url, agentToken);
        var credentials = (await agent.GetFromJsonAsync<JsonObject>(AgentProtocol.SetupPath(id), cancellationToken))!["credentials"]!;
        var gateway = credentials[AgentSetup.BaseUrlVariable]!.GetValue<string>();
        var modelToken = credentials[AgentSetup.ApiKeyVariable]!.GetValue<string>();

        using var client = new HttpClient { Timeout = Deadline };
        var direct = new List<double>(count);
        var relayed = new List<double>(count);
        // Alternated, so that both see the same machine load; one pair not counted (first use of each path).
        for (var i = 0; i <= count; i++)
        {
            var directFirst = await CallAsync(client, model, model.Url.ToString().TrimEnd('/'), ScriptedModel.ApiKey, cancellationToken);
            var relayedFirst = await CallAsync(client, model, gateway, modelToken, cancellationToken);
            if (i == 0) continue;
            direct.Add(directFirst);
            relayed.Add(relayedFirst);
        }
        await SessionsClient.DeleteAsync(http, id, cancellationToken);

        var (d, r) = (new Latencies(direct), new Latencies(relayed));
        bench.Log($"first token p50: direct {d.P50:0.00} ms, through the node {r.P50:0.00} ms");
        return new ScenarioReport(Name, Description,
        [
            new Metric("first token through the node p50", r.P50, "ms").Against("scripted model directly", d.P50),
            new Metric("first token through the node p99", r.P99, "ms").Against("scripted model directly", d.P99),
            new Metric("first token directly p50", d.P50, "ms"),
            new Metric("first token directly p99", d.P99, "ms"),
            new Metric("added by the node p50", r.P50 - d.P50, "ms"),
        ],
        [
            $"{count} calls each way, alternated (plus one pair not counted); one at a time, on loopback; each from sending the request to reading its first text_delta.",
            "The scripted model streams message_start and the first text at once and holds the rest until the caller has read that text: every first token here came through unbuffered (a buffering relay would never have delivered it, and the call would have failed at its deadline).",
            "Through the node: the session checks the model token (a grain call), the node adds the real key, relays each chunk with a flush and meters the usage (one grain call after the answer).",
        ]);
    }

    /// <summary>One streamed call: milliseconds to its first text_delta; the model's rest is released once it is read.</summary>
    private static async Task<double> CallAsync(HttpClient client, ScriptedModel model, string baseUrl, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");
        var begin = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{baseUrl} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        double? first = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (first is not null || !line.Contains("text_delta", StringComparison.Ordinal)) continue;
            first = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
            model.ReleaseRest();
        }
        return first ?? throw new InvalidDataException($"{baseUrl}: no text_delta in the answer");
    }
}
