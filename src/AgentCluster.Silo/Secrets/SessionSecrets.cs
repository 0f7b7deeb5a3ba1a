using Microsoft.AspNetCore.DataProtection;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Secrets;

/// <summary>
/// Encrypts what a session must keep but nobody may read from its stored state (a per-session model key), with
/// ASP.NET Core Data Protection: authenticated encryption under a key ring every node shares (Redis with
/// REDIS_URL, else this process's memory, like the sessions themselves).
/// </summary>
public sealed class SessionSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("AgentCluster.Sessions.ModelKey.v1");

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);
}
