using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent;

namespace AgentCluster.UnitTests.Agent;

/// <summary>The agent's source-generated protocol JSON reads and writes exactly what the nodes' ProtocolJson does.</summary>
public sealed class AgentJsonTests
{
    [Fact]
    public void A_batch_and_a_hello_are_written_as_ProtocolJson_writes_them()
    {
        var batch = new AgentEventBatch("instance-1",
        [
            new AgentEvent { Seq = 1, Type = EventTypes.AgentOutput, Turn = 2, At = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Payload = EventPayloads.Output("stdout", "hi") },
            new AgentEvent { Seq = 2, Type = EventTypes.TurnCompleted, Turn = 2, Payload = EventPayloads.TurnCompleted(TurnOutcomes.Success, 0) },
        ]);
        Assert.Equal(JsonSerializer.Serialize(batch, ProtocolJson.Options), JsonSerializer.Serialize(batch, AgentJson.Default.AgentEventBatch));
        var hello = new AgentHello("instance-1");
        Assert.Equal(JsonSerializer.Serialize(hello, ProtocolJson.Options), JsonSerializer.Serialize(hello, AgentJson.Default.AgentHello));
    }

    [Fact]
    public void A_turn_and_an_ack_are_read_as_ProtocolJson_reads_them()
    {
        var turn = new AgentTurn(3, "echo hi");
        Assert.Equal(turn, JsonSerializer.Deserialize(JsonSerializer.Serialize(turn, ProtocolJson.Options), AgentJson.Default.AgentTurn));
        var ack = new AgentAck(41, SessionStatus.Running);
        Assert.Equal(ack, JsonSerializer.Deserialize(JsonSerializer.Serialize(ack, ProtocolJson.Options), AgentJson.Default.AgentAck));
    }
}
