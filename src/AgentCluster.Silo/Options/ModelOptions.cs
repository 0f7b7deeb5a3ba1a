namespace AgentCluster.Silo.Options;

/// <summary>
/// The node's model credentials (section <c>Anthropic</c>; ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL as the
/// official clients name them): the upstream of the node's model gateway (ModelGateway/), which adds the key to the
/// calls it relays. They never leave the node: agents get a session's model token instead. A session may bring its
/// own key instead of the node's (<c>api_key</c>), which the gateway then adds.
/// </summary>
public sealed class ModelOptions
{
    public const string Section = "Anthropic";

    /// <summary>The node's key, used by every session that brings none. Null: sessions must bring their own.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where the model gateway sends Messages API calls, when not Anthropic's own (a proxy, a test fake).</summary>
    public string? BaseUrl { get; set; }

    public bool HasKey => !string.IsNullOrWhiteSpace(ApiKey);

    public IEnumerable<string> Validate()
    {
        if (BaseUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            yield return $"ANTHROPIC_BASE_URL (Anthropic:BaseUrl) '{url}' is not an absolute http(s) URL.";
    }
}
