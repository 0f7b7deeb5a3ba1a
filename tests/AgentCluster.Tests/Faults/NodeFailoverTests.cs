using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Faults;

/// <summary>
/// Three nodes on one Redis: the node that streams sessions to their clients, hosts (some of) their grains and
/// is those sessions' agents' first address dies by SIGKILL mid-turn. Nothing acknowledged is lost, the
/// sessions carry on on the other nodes, the agents move to another address, and each client, reconnecting
/// through another node with Last-Event-ID, sees every event exactly once.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class NodeFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_killed_node_loses_no_event_and_its_sessions_go_on_through_the_others()
    {
        await using var cluster = await NodeCluster.StartAsync(nodes: 3);
        var sessions = await StreamingSessions.StartAsync(cluster, count: 3, lines: 200, deadline: TimeSpan.FromSeconds(90));
        // The victim hosts the first session's grain and is its agent's first address; every client reads through it.
        var victim = await cluster.HostOfAsync(sessions.Ids[0]);
        var survivors = cluster.Nodes.Where(n => n != victim).ToArray();
        var hosted = new List<string>();
        foreach (var id in sessions.Ids)
        {
            if (await cluster.HostOfAsync(id) == victim) hosted.Add(id);
            sessions.Read(id, [victim, .. survivors]);
        }
        await sessions.StreamingAsync();
        var seenBeforeKill = sessions.Readers.Select(r => r.LastId).ToList();
        var killed = Stopwatch.StartNew();
        await victim.KillAsync();

        await sessions.FirstTurnSeenExactlyOnceAsync();
        var recovered = killed.Elapsed;
        Assert.All(sessions.Readers, r => Assert.NotEmpty(r.Interruptions)); // each really lost its stream and resumed elsewhere
        var gaps = sessions.FirstTurnGaps();
        Assert.All(gaps, gap => Assert.True(gap.Duration < TimeSpan.FromSeconds(20), $"a session stalled: {gap}"));

        // The agents carried on through another address: their next turn comes through a survivor too.
        await sessions.NextTurnRunsAsync(survivors[0], turn: 2);
        foreach (var id in sessions.Ids)
        {
            var view = (await survivors[1].Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
            Assert.Equal("idle", view["status"]!.GetValue<string>());
            Assert.Single(await cluster.LiveMachinesAsync(id));
            // The victim's agents found their node gone and moved on to another address.
            if (hosted.Contains(id)) Assert.Contains($"via {victim.Url}/ failed", await cluster.AgentLogAsync(id));
        }

        output.WriteLine($"{sessions.Ids.Count} sessions ({hosted.Count} hosted by the killed node), {sessions.Readers.Sum(r => r.Events.Count)} events checked");
        output.WriteLine($"events seen before the kill: {string.Join(", ", seenBeforeKill)}; turn 1 done everywhere {recovered.TotalSeconds:0.0} s after the kill");
        output.WriteLine($"longest gap in turn 1 per client: {string.Join("; ", gaps)}");
        foreach (var reader in sessions.Readers) output.WriteLine($"interruptions: {string.Join(" | ", reader.Interruptions)}");
    }
}
