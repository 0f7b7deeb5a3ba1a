using System.IO.Hashing;
using System.Text;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Reaping;

/// <summary>Which reaper shard watches a session: a hash of its id that every node and every run agrees on.</summary>
public sealed class ReaperShards(IOptions<ReaperOptions> options)
{
    public int Count => options.Value.Shards;

    public int Of(string sessionId) => (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(sessionId)) % (uint)Count);
}
