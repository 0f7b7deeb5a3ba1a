using System.Text.RegularExpressions;

namespace AgentCluster.Silo.Options;

/// <summary>
/// The front door's API keys (section <c>Auth</c>): a map from the key's name, which becomes the owner of the
/// sessions the key creates, to the SHA-256 of the key in hex. Only hashes are configured, so a leaked config
/// or environment listing gives no key away: <c>Auth__ApiKeys__team-a=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)</c>.
/// A name may hold several hashes separated by commas, so a key can be rotated without downtime (add the new
/// one, move the clients, remove the old one): sessions belong to the name, not the key.
/// No keys: the node accepts anonymous callers as the owner <see cref="LocalOwner"/>, and refuses to start
/// unless it listens on loopback only (<see cref="Auth.ListenAddresses"/>).
/// </summary>
public sealed partial class ApiKeyOptions
{
    public const string Section = "Auth";

    /// <summary>The owner of every session when no keys are configured (and of sessions made before owners existed).</summary>
    public const string LocalOwner = "local";

    public Dictionary<string, string> ApiKeys { get; set; } = [];

    /// <summary>
    /// The key names that may operate the node itself (the Orleans Dashboard): <c>Auth:Operators</c>, a
    /// comma-separated list (<c>Auth__Operators=ops,oncall</c>) or an array. Without keys everyone is an operator,
    /// as everyone is <see cref="LocalOwner"/>.
    /// </summary>
    public List<string> Operators { get; set; } = [];

    public bool Enabled => ApiKeys.Count > 0;

    public bool IsOperator(string name) => !Enabled || Operators.Contains(name, StringComparer.Ordinal);

    /// <summary>The one-line form of <see cref="Operators"/>, which the configuration binder leaves alone (it binds arrays only).</summary>
    public void AddOperators(string? list) =>
        Operators.AddRange((list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Every configured hash (lower-case hex) with the owner it authenticates as.</summary>
    public IEnumerable<(string Owner, string Hash)> Hashes() =>
        ApiKeys.SelectMany(k => k.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(hash => (k.Key, hash.ToLowerInvariant())));

    public IEnumerable<string> Validate()
    {
        foreach (var (name, hashes) in ApiKeys)
        {
            if (!NamePattern().IsMatch(name))
                yield return $"Auth:ApiKeys: the key name '{name}' must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit.";
            if (!HashListPattern().IsMatch(hashes))
                yield return $"Auth:ApiKeys:{name} must be the SHA-256 of the key as 64 hex digits (printf %s \"$KEY\" | sha256sum), " +
                    "or several separated by commas; not the key itself.";
        }
        foreach (var name in Operators.Where(o => !ApiKeys.ContainsKey(o)))
            yield return $"Auth:Operators names '{name}', which is no key in Auth:ApiKeys; list the names of configured keys.";
        foreach (var shared in Hashes().GroupBy(h => h.Hash).Where(g => g.Count() > 1))
            yield return $"Auth:ApiKeys: {string.Join(" and ", shared.Select(h => h.Owner).Distinct())} list the same key twice; each key belongs to one name.";
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\s*[0-9A-Fa-f]{64}\s*(,\s*[0-9A-Fa-f]{64}\s*)*$")]
    private static partial Regex HashListPattern();
}
