using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// The node's one Redis connection, shared by Orleans' clustering, grain storage and reminders and by the
/// session event log and catalog. Connecting does not fail when Redis is down; it keeps retrying.
/// </summary>
public sealed class RedisConnection(ConfigurationOptions options) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> connection = new(() => ConnectionMultiplexer.Connect(options));

    public IConnectionMultiplexer Multiplexer => connection.Value;

    public Task<(IConnectionMultiplexer, bool)> SharedAsync<T>(T _) => Task.FromResult((Multiplexer, true));

    public void Dispose()
    {
        if (connection.IsValueCreated) connection.Value.Dispose();
    }
}
