using System.Net;
using System.Net.Http.Json;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// Sessions on a <see cref="NodeCluster"/>, each running a first turn of numbered lines, and clients following
/// them with <see cref="ResumingEventReader"/>s: what a fault test disturbs, and the checks that nothing was
/// lost, repeated or stuck.
/// </summary>
public sealed class StreamingSessions
{
    private readonly List<Task> firstTurn = [];

    private StreamingSessions(IReadOnlyList<string> ids, int lines, TimeSpan deadline)
    {
        Ids = ids;
        Lines = lines;
        Deadline = deadline;
    }

    public IReadOnlyList<string> Ids { get; }
    public int Lines { get; }
    public TimeSpan Deadline { get; }
    public List<ResumingEventReader> Readers { get; } = [];

    /// <summary>Creates the sessions through the nodes in turn.</summary>
    public static async Task<StreamingSessions> StartAsync(NodeCluster cluster, int count, int lines, TimeSpan deadline)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
            ids.Add(await NodeCluster.CreateSessionAsync(cluster.Nodes[i % cluster.Nodes.Count], NumberedLines.Prompt(lines)));
        return new StreamingSessions(ids, lines, deadline);
    }

    /// <summary>A client of the session that reads through <paramref name="via"/> (the first, then the next on failure).</summary>
    public void Read(string sessionId, params NodeHost[] via)
    {
        var reader = new ResumingEventReader(sessionId, via.Select(n => n.Http).ToList());
        Readers.Add(reader);
        firstTurn.Add(reader.ReadUntilAsync(e => e.IsTurnCompleted(1), Deadline));
    }

    /// <summary>Waits until every client has received at least <paramref name="events"/> events: the turns are under way.</summary>
    public Task StreamingAsync(int events = 20) =>
        Eventually.TrueAsync(() => Readers.All(r => r.LastId >= events), Deadline, "every session streams its lines to every client");

    /// <summary>Waits for every client to see the first turn end, and checks each saw every event exactly once.</summary>
    public async Task FirstTurnSeenExactlyOnceAsync()
    {
        await Task.WhenAll(firstTurn);
        foreach (var reader in Readers) NumberedLines.AssertSeenExactlyOnce(reader.Events, turn: 1, Lines);
    }

    /// <summary>
    /// Sends every session a next turn through <paramref name="via"/> and waits for each client to see it run:
    /// the agent took it, so it polls and pushes through a node that is up.
    /// </summary>
    public async Task NextTurnRunsAsync(NodeHost via, int turn)
    {
        var marker = $"turn-{turn}-ran";
        foreach (var id in Ids)
        {
            var sent = await via.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = $"echo {marker}" });
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }
        foreach (var reader in Readers)
        {
            await reader.ReadUntilAsync(e => e.IsTurnCompleted(turn), Deadline);
            Assert.Contains(reader.Events, e => e.Type == "agent.output" && e.Turn == turn && e.Text() == marker);
            Assert.Equal(Enumerable.Range(1, reader.Events.Count).Select(i => (long)i), reader.Events.Select(e => e.Id));
        }
    }

    /// <summary>Each client's longest wait between two events of the first turn.</summary>
    public IReadOnlyList<ResumingEventReader.Gap> FirstTurnGaps() => Readers.Select(r => r.LongestGap(e => e.Turn == 1)).ToList();
}
