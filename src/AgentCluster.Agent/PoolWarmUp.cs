using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Agent;

/// <summary>
/// A pool machine's agent runs once, before it calls in as ready (and is suspended), the code a claimed agent runs
/// first: the protocol's JSON and a shell turn (<c>true</c>). The snapshot then holds it compiled, so that a claim
/// resumes into code that runs at once instead of being compiled on the user's time, by every claimed agent at once
/// in a burst. Nothing is sent or kept.
/// </summary>
internal static class PoolWarmUp
{
    public static async Task RunAsync(AgentConfig pool, CancellationToken cancellationToken)
    {
        await FirstTurnWarmUp.StartAsync();
        _ = JsonSerializer.Deserialize("""{"settings":{},"credentials":{}}""", AgentJson.Default.AgentSetup);
        _ = JsonSerializer.Deserialize("""{"turn":1,"content":"true"}""", AgentJson.Default.AgentTurn);
        _ = JsonSerializer.Deserialize("""{"acked_seq":0,"status":"idle"}""", AgentJson.Default.AgentAck);
        _ = JsonSerializer.SerializeToUtf8Bytes(new AgentHello(""), AgentJson.Default.AgentHello);
        var shell = RuntimeCatalog.Create(AgentRuntimes.Shell, new RuntimeContext(pool.Workspace, new AgentSettings(), new Dictionary<string, string>()));
        await shell.RunTurnAsync(new AgentTurn(0, "true"), Discarded.Instance, cancellationToken);
    }

    private sealed class Discarded : ITurnEvents
    {
        public static readonly Discarded Instance = new();

        public void Output(string stream, string text) { }

        public void TextDelta(string text) { }

        public void ToolUse(string id, string name, string input) { }

        public void ToolResult(string toolUseId, string content, bool isError) { }
    }
}
