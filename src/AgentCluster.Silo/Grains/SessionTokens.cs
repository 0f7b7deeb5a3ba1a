using System.Security.Cryptography;
using System.Text;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// Per-session bearer tokens for the agent: 256 random bits, handed to the machine once, stored only as a
/// SHA-256 hash (the token has full entropy, so a fast hash is enough) and compared in constant time.
/// </summary>
public static class SessionTokens
{
    public static string New() => "ast_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string? token, string? hash) =>
        token is not null && hash is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));
}
