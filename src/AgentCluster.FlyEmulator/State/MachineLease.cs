using AgentCluster.Fly.Models;

namespace AgentCluster.FlyEmulator.State;

internal sealed record MachineLease(string Nonce, DateTimeOffset ExpiresAt, string Owner, string Description, string Version)
{
    public Lease ToLease() => new()
    {
        Nonce = Nonce,
        ExpiresAt = ExpiresAt.ToUnixTimeSeconds(),
        Owner = Owner,
        Description = Description,
        Version = Version,
    };
}
