namespace AgentCluster.Silo.OpenAi;

/// <summary><c>GET /v1/models</c>: each preset, then each runtime, as a model a chat completion can name.</summary>
public sealed record ModelList(IReadOnlyList<ModelEntry> Data)
{
    public string Object => "list";
}

public sealed record ModelEntry(string Id, string OwnedBy)
{
    public string Object => "model";

    /// <summary>OpenAI's creation time; presets and runtimes have none, so the epoch.</summary>
    public long Created => 0;
}
