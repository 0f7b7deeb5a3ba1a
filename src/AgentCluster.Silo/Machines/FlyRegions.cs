using System.Collections.Frozen;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// Fly's region codes. Fly answers a create in an unknown region with an error that names no field; checked
/// here, a request learns which field is wrong and what it may say instead.
/// </summary>
public static class FlyRegions
{
    public static readonly FrozenSet<string> Codes = new[]
    {
        "ams", "arn", "atl", "bog", "bom", "bos", "cdg", "den", "dfw", "ewr", "eze", "fra", "gdl", "gig", "gru", "hkg",
        "iad", "jnb", "lax", "lhr", "mad", "mia", "nrt", "ord", "otp", "phx", "qro", "scl", "sea", "sin", "sjc", "syd",
        "waw", "yul", "yyz",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsKnown(string code) => Codes.Contains(code);

    /// <summary>Why <paramref name="code"/> is not a region, said of <paramref name="field"/>; null when it is one.</summary>
    public static string? Problem(string field, string code) => IsKnown(code)
        ? null
        : $"{field} '{code}' is not a Fly region; use one of: {string.Join(", ", Codes.Order(StringComparer.Ordinal))}.";
}
