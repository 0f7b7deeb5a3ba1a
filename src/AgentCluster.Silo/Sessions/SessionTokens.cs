using System.Security.Cryptography;
using System.Text;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// Per-session bearer tokens for the agent: 256 random bits, handed to the machine once, stored only as a
/// SHA-256 hash (the token has full entropy, so a fast hash is enough) and compared in constant time. The same
/// for the model tokens the agent's runtime presents to the session's model gateway (<see cref="ModelPrefix"/>).
/// </summary>
public static class SessionTokens
{
    public const string AgentPrefix = "ast_";
    public const string ModelPrefix = "amt_";

    /// <summary>The control key a node presents to the agent's control server (AgentSetup.ControlKey); kept encrypted, not hashed: the node needs it.</summary>
    public const string ControlPrefix = "ack_";

    public static string New(string prefix = AgentPrefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string? token, string? hash) =>
        token is not null && hash is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(hash));
}
