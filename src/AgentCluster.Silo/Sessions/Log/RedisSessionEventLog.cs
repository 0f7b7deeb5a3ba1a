using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using StackExchange.Redis;
using AgentCluster.Silo.Storage;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The log as a Redis list per session (RPUSH: bytes written per event ≈ the event's JSON) plus a small hash
/// for the agent cursor, written by one script guarded by the list's length: the append commits only if
/// nobody else appended since the writer read the head, and the events and the cursor move together. A script
/// rather than WATCH/MULTI/EXEC: one round trip per append instead of two, on the path of every agent push.
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

    // KEYS: events list, agent cursor hash. ARGV: expected length, cursor instance ('' for none), cursor seq, events...
    // Events go in chunks: Lua's unpack has a stack limit far below what a batch may hold.
    private const string AppendScript = """
        if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end
        for i = 4, #ARGV, 1000 do
          redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
        if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], 'instance', ARGV[2], 'seq', ARGV[3]) end
        return 1
        """;

    public async Task AppendAsync(string sessionId, EventLogHead head, IReadOnlyList<SessionEvent> events, AgentCursor? agent, CancellationToken cancellationToken = default)
    {
        var args = new RedisValue[3 + events.Count];
        args[0] = head.LastSeq;
        args[1] = agent?.Instance ?? "";
        args[2] = agent?.Seq ?? 0;
        for (var i = 0; i < events.Count; i++) args[3 + i] = JsonSerializer.SerializeToUtf8Bytes(events[i], ProtocolJson.Options);
        var appended = await redis.GetDatabase().ScriptEvaluateAsync(AppendScript, [keys.Events(sessionId), keys.AgentCursor(sessionId)], args);
        if ((int)appended != 1) throw new EventLogConflictException(sessionId);
    }

    public async Task<IReadOnlyList<SessionEvent>> ReadAsync(string sessionId, long afterSeq, int max, CancellationToken cancellationToken = default)
    {
        var values = await redis.GetDatabase().ListRangeAsync(keys.Events(sessionId), afterSeq, afterSeq + max - 1);
        return values.Select(v => JsonSerializer.Deserialize<SessionEvent>((byte[])v!, ProtocolJson.Options)!).ToList();
    }
}
