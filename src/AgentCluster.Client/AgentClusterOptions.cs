namespace AgentCluster.Client;

/// <summary>Where the node is and how to authenticate; the reconnect policy of <see cref="AgentClusterClient.StreamEventsAsync"/>.</summary>
public sealed class AgentClusterOptions
{
    /// <summary>The node's address (<c>AGENTCLUSTER_URL</c>).</summary>
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8080");

    /// <summary>An API key, sent as <c>Authorization: Bearer</c> (<c>AGENTCLUSTER_API_KEY</c>); none on a loopback node without keys.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The first wait before an event stream reconnects; it doubles on each failure in a row, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two reconnects.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many reconnects in a row may fail (without an event in between) before the stream gives up and throws
    /// the last failure: with the defaults about a minute and a half of a node or network away.
    /// </summary>
    public int MaxReconnectAttempts { get; set; } = 12;

    public const string UrlVariable = "AGENTCLUSTER_URL";
    public const string ApiKeyVariable = "AGENTCLUSTER_API_KEY";
}
