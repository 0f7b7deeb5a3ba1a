using Microsoft.AspNetCore.DataProtection;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// A subscription's signing secret, kept only encrypted (Data Protection under the nodes' shared key ring, as
/// <see cref="Secrets.SessionSecrets"/>), with a purpose of its own: a session's ciphertext cannot stand in for it.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("AgentCluster.Webhooks.Secret.v1");

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);
}
