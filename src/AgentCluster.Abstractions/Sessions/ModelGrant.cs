namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// A session's answer to its model gateway (<see cref="ISessionGrain.AuthorizeModelCallAsync"/>): the call may go
/// upstream, with the session's own model key when it brought one. That key crosses the cluster only encrypted
/// (Data Protection, the key ring every node shares); the gateway decrypts it to add it to the upstream call.
/// A class, not a record: a record's generated ToString would print the key, even encrypted.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.ModelGrant")]
public sealed class ModelGrant
{
    /// <summary>The session's own key, encrypted; null: the node's key.</summary>
    [Id(0)] public string? ProtectedApiKey { get; init; }

    public override string ToString() => $"ModelGrant(own key: {ProtectedApiKey is not null})";
}
