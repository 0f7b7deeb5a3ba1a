namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// A secret on its way through (a per-session model key): its ToString never shows it, so no log line,
/// exception or record's ToString that holds one prints it.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.SecretText")]
public sealed class SecretText(string value)
{
    [Id(0)] public string Value { get; } = value;

    public override string ToString() => "(secret)";
}
