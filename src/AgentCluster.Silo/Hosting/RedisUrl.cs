using StackExchange.Redis;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// REDIS_URL as Fly and most hosts give it (<c>redis://user:password@host:6379</c>, <c>rediss://</c> for TLS),
/// or StackExchange.Redis' own form (<c>host:6379,password=…</c>).
/// </summary>
public static class RedisUrl
{
    public static ConfigurationOptions Parse(string url)
    {
        ConfigurationOptions options;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "redis" or "rediss")
        {
            options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
            var userInfo = Uri.UnescapeDataString(uri.UserInfo);
            if (userInfo.Length > 0)
            {
                var colon = userInfo.IndexOf(':');
                if (colon < 0) options.Password = userInfo;
                else
                {
                    if (colon > 0) options.User = userInfo[..colon];
                    options.Password = userInfo[(colon + 1)..];
                }
            }
            if (uri.AbsolutePath.Trim('/') is { Length: > 0 } db && int.TryParse(db, out var database)) options.DefaultDatabase = database;
        }
        else
        {
            options = ConfigurationOptions.Parse(url);
        }
        // A node must come up and keep retrying while Redis restarts, not crash on the first failed connect.
        options.AbortOnConnectFail = false;
        // Replies are handled on .NET's thread pool, not on the client's own dedicated pool of threads. Those spin while
        // they wait for work: on the 2-core benchmark machine they took 13-19 % of a node's CPU while it created sessions
        // (BENCHMARKS.md, "Where the time goes").
        options.SocketManager = SocketManager.ThreadPool;
        return options;
    }
}
