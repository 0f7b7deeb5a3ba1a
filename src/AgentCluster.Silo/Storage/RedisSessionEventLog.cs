using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using StackExchange.Redis;

namespace AgentCluster.Silo.Storage;

/// <summary>
/// The log as a Redis list per session (RPUSH: bytes written per event ≈ the event's JSON) plus a small hash
/// for the agent cursor, written in one MULTI/EXEC guarded by the list's length: the append commits only if
/// nobody else appended since the writer read the head, and the events and the cursor move together.
/// </summary>
public sealed class RedisSessionEventLog(IConnectionMultiplexer redis, RedisKeys keys) : ISessionEventLog
{
    private const string InstanceField = "instance";
    private const string SeqField = "seq";

    public async Task<EventLogHead> ReadHeadAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        var length = db.ListLengthAsync(keys.Events(sessionId));
        var cursor = db.HashGetAsync(keys.AgentCursor(sessionId), [InstanceField, SeqField]);
        await Task.WhenAll(length, cursor);
        var (instance, seq) = (cursor.Result[0], cursor.Result[1]);
        return new EventLogHead(length.Result, instance.IsNull ? AgentCursor.None : new AgentCursor(instance!, (long)seq));
    }

    public async Task AppendAsync(string sessionId, EventLogHead head, IReadOnlyList<SessionEvent> events, AgentCursor? agent, CancellationToken cancellationToken = default)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        transaction.AddCondition(Condition.ListLengthEqual(keys.Events(sessionId), head.LastSeq));
        var values = events.Select(e => (RedisValue)JsonSerializer.SerializeToUtf8Bytes(e, ProtocolJson.Options)).ToArray();
        _ = transaction.ListRightPushAsync(keys.Events(sessionId), values);
        if (agent is not null)
            _ = transaction.HashSetAsync(keys.AgentCursor(sessionId), [new(InstanceField, agent.Instance), new(SeqField, agent.Seq)]);
        if (!await transaction.ExecuteAsync()) throw new EventLogConflictException(sessionId);
    }

    public async Task<IReadOnlyList<SessionEvent>> ReadAsync(string sessionId, long afterSeq, int max, CancellationToken cancellationToken = default)
    {
        var values = await redis.GetDatabase().ListRangeAsync(keys.Events(sessionId), afterSeq, afterSeq + max - 1);
        return values.Select(v => JsonSerializer.Deserialize<SessionEvent>((byte[])v!, ProtocolJson.Options)!).ToList();
    }
}
