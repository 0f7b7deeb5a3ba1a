using System.Security.Cryptography;
using System.Text;

namespace AgentCluster.Tests.Security;

/// <summary>API keys as an operator makes them: random, configured as <c>printf %s "$KEY" | sha256sum</c>.</summary>
public static class ApiKeys
{
    public static string New() => "ack_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
