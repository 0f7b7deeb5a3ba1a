using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Agent;

/// <summary>
/// Compiles, while the first poll waits on the node, the code the first turn needs after it: the event
/// payloads' JSON and the push's (a first use builds the serializers' metadata). A fresh process
/// would otherwise do it between the turn arriving and its first output going out. Nothing is sent or kept.
/// </summary>
internal static class FirstTurnWarmUp
{
    public static Task StartAsync() => Task.Run(() =>
    {
        var output = EventPayloads.Output(OutputStreams.Stdout, "");
        _ = EventPayloads.TurnCompleted(TurnOutcomes.Success, 0);
        var batch = new AgentEventBatch("", [new AgentEvent { Seq = 1, Type = EventTypes.AgentOutput, Payload = output }]);
        _ = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(batch, AgentJson.Default.AgentEventBatch);
    });
}
