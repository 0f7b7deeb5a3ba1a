using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Health;

/// <summary>
/// How <c>/health/ready</c> checks the node's dependencies (section <c>Health</c>): each check gets at most
/// <see cref="CheckTimeout"/>, and the Machines API's answer is kept for <see cref="MachinesApiCacheFor"/>, so
/// Fly's checks (every 15 s, on every node) do not spend the API's rate limits.
/// </summary>
public sealed class ReadinessOptions
{
    public const string Section = "Health";

    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan MachinesApiCacheFor { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (CheckTimeout <= TimeSpan.Zero || CheckTimeout > TimeSpan.FromSeconds(30))
            yield return "Health:CheckTimeout must be between 0 and 30 seconds (Fly gives a check a few seconds).";
        if (MachinesApiCacheFor < TimeSpan.Zero) yield return "Health:MachinesApiCacheFor must be 0 or more.";
    }
}
