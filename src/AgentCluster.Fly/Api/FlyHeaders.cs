namespace AgentCluster.Fly.Api;

public static class FlyHeaders
{
    /// <summary>Proves the caller holds the machine's lease on mutations.</summary>
    public const string LeaseNonce = "fly-machine-lease-nonce";

    /// <summary>Fly's id for a request, for support tickets and log correlation.</summary>
    public const string RequestId = "fly-request-id";
}
