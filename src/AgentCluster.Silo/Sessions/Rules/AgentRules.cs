using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>What an agent may send; every refusal names the field. The session applies them whoever calls it.</summary>
public static class AgentRules
{
    public const int MaxEventsPerBatch = 500;
    public const int MaxPayloadLength = 256 * 1024;

    public static void ValidateInstance(string? instance)
    {
        if (instance is not { Length: > 0 and <= 64 })
            throw SessionException.Invalid("instance", "instance (1-64 characters, the agent process's id) is required.");
    }

    public static void Validate(AgentEventBatch batch)
    {
        ValidateInstance(batch.Instance);
        if (batch.Events is null) throw SessionException.Invalid("events", "events is required (it may be empty).");
        if (batch.Events.Count > MaxEventsPerBatch) throw SessionException.Invalid("events", $"at most {MaxEventsPerBatch} events per batch.");
        foreach (var e in batch.Events)
        {
            if (e.Seq < 1) throw SessionException.Invalid("events.seq", "seq must be 1 or more.");
            if (!EventTypes.FromAgent.Contains(e.Type ?? ""))
                throw SessionException.Invalid("events.type", $"'{e.Type}' is not an event type an agent may send ({string.Join(", ", EventTypes.FromAgent)}).");
            if (e.Payload is null || !e.Payload.TrimStart().StartsWith('{'))
                throw SessionException.Invalid("events.payload", $"event {e.Seq}: payload must be a JSON object.");
            if (e.Payload.Length > MaxPayloadLength)
                throw SessionException.Invalid("events.payload", $"event {e.Seq}: payload may be at most {MaxPayloadLength} characters; split long output.");
        }
    }
}
