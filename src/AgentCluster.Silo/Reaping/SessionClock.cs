using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Reaping;

/// <summary>
/// The clock of session deadlines, as a keyed <see cref="TimeProvider"/> (by default the system clock): tests
/// move it to expire sessions without moving the clock Orleans itself runs on.
/// </summary>
public static class SessionClock
{
    public const string Key = "sessions";
}
