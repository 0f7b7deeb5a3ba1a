using System.Security.Cryptography;
using StandardWebhooks;

namespace AgentCluster.Silo.Webhooks;

/// <summary>The Standard Webhooks headers of one delivery attempt.</summary>
public sealed record WebhookHeaders(string Id, string Timestamp, string Signature)
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
}

/// <summary>
/// Signing secrets and signatures by the Standard Webhooks scheme (https://www.standardwebhooks.com), with its
/// .NET library: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256(key, "id.timestamp.body")&gt;</c>. A secret is
/// <c>whsec_</c> and the base64 of 32 random bytes (the key), the form every Standard Webhooks library reads.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static WebhookHeaders Sign(string secret, string webhookId, DateTimeOffset at, string body) =>
        new(webhookId, at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            new StandardWebhook(secret).Sign(webhookId, at, body));
}
