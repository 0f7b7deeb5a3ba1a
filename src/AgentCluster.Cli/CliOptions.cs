using System.CommandLine;

namespace AgentCluster.Cli;

/// <summary>The options every command takes (recursive on the root): where the node is, the key, and the output form.</summary>
internal sealed class CliOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The node's address (default: $AGENTCLUSTER_URL, else http://127.0.0.1:8080)",
        Recursive = true,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "The API key (default: $AGENTCLUSTER_API_KEY; none on a loopback node)",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON for scripts: one document, or JSON lines for event streams",
        Recursive = true,
    };
}
