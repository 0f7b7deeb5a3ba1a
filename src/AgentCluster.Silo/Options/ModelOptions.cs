namespace AgentCluster.Silo.Options;

/// <summary>
/// The node's model credentials (section <c>Anthropic</c>; ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL as the
/// official clients name them). Agents fetch them over their authenticated channel at start: they never sit in
/// a machine's config. A session may bring its own key instead (<c>api_key</c>).
/// </summary>
public sealed class ModelOptions
{
    public const string Section = "Anthropic";

    /// <summary>The node's key, used by every session that brings none. Null: sessions must bring their own.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where the runtimes send Messages API calls, when not Anthropic's own (a proxy, a gateway, a test fake).</summary>
    public string? BaseUrl { get; set; }

    public bool HasKey => !string.IsNullOrWhiteSpace(ApiKey);

    public IEnumerable<string> Validate()
    {
        if (BaseUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            yield return $"ANTHROPIC_BASE_URL (Anthropic:BaseUrl) '{url}' is not an absolute http(s) URL.";
    }
}
