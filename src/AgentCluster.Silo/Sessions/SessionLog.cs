namespace AgentCluster.Silo.Sessions;

/// <summary>
/// What a session logs, source-generated (no formatting unless the level is on). Every line also carries the
/// session and machine ids as a scope (<see cref="Logging.GrainLogScopes"/>), so the Fly client's and Orleans' own
/// lines inside a session's calls can be found by the same ids. Never a token, a key, an env value or a prompt.
/// </summary>
internal static partial class SessionLog
{
    [LoggerMessage(1000, LogLevel.Information, "Session {SessionId} started on machine {MachineId} in {Region}")]
    public static partial void Started(this ILogger logger, string sessionId, string machineId, string? region);

    [LoggerMessage(1001, LogLevel.Information, "Session {SessionId} terminated: {Reason}")]
    public static partial void Terminated(this ILogger logger, string sessionId, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Session {SessionId}: event log moved under this activation; deactivating")]
    public static partial void EventLogMoved(this ILogger logger, string sessionId);

    [LoggerMessage(1003, LogLevel.Information, "Session {SessionId}: turn {Turn} interrupted by the client")]
    public static partial void Interrupted(this ILogger logger, string sessionId, int turn);

    [LoggerMessage(1004, LogLevel.Warning, "Session {SessionId}: workspace {Workspace} not released or deleted: {Reason}")]
    public static partial void WorkspaceNotReleased(this ILogger logger, string sessionId, string workspace, string reason);

    [LoggerMessage(1010, LogLevel.Warning, "Session {SessionId} expired: {Why}; destroying machine {MachineId}")]
    public static partial void Expired(this ILogger logger, string sessionId, string why, string? machineId);

    [LoggerMessage(1011, LogLevel.Warning, "Session {SessionId}: the agent is silent in turn {Turn}")]
    public static partial void Silent(this ILogger logger, string sessionId, int turn);

    [LoggerMessage(1012, LogLevel.Information, "Session {SessionId} idle since {IdleSince}: putting machine {MachineId} to sleep")]
    public static partial void Sleeping(this ILogger logger, string sessionId, DateTimeOffset idleSince, string? machineId);

    [LoggerMessage(1013, LogLevel.Information, "Session {SessionId} woken: starting machine {MachineId}")]
    public static partial void Woken(this ILogger logger, string sessionId, string? machineId);

    [LoggerMessage(1014, LogLevel.Warning, "Session {SessionId}: machine {MachineId} not destroyed yet; the reaper will retry")]
    public static partial void DestroyDeferred(this ILogger logger, Exception e, string sessionId, string? machineId);

    [LoggerMessage(1015, LogLevel.Warning, "Destroying machine {MachineId}: tagged with session {SessionId}, which is {Status}")]
    public static partial void DestroyingStray(this ILogger logger, string machineId, string sessionId, string status);

    [LoggerMessage(1016, LogLevel.Information, "Session {SessionId} re-attached to machine {MachineId}")]
    public static partial void Reattached(this ILogger logger, string sessionId, string machineId);

    [LoggerMessage(1017, LogLevel.Warning, "Session {SessionId} used its budget of {MaxMachineSeconds} machine-seconds: destroying machine {MachineId}")]
    public static partial void BudgetExceeded(this ILogger logger, string sessionId, long maxMachineSeconds, string? machineId);

    [LoggerMessage(1020, LogLevel.Information, "Session {SessionId}: turn {Turn} ran for its {MaxTurnSeconds} s; interrupting it")]
    public static partial void TurnTimedOut(this ILogger logger, string sessionId, int turn, long maxTurnSeconds);

    [LoggerMessage(1021, LogLevel.Information, "Session {SessionId}: task done after {Turns} turn(s): {Reason}")]
    public static partial void TaskDone(this ILogger logger, string sessionId, int turns, string reason);

    [LoggerMessage(1022, LogLevel.Warning, "Session {SessionId} spent its model budget of {MaxModelUsd} USD ({ModelCostUsd} USD): its model gateway refuses further calls")]
    public static partial void ModelBudgetSpent(this ILogger logger, string sessionId, decimal maxModelUsd, decimal modelCostUsd);

    [LoggerMessage(1023, LogLevel.Warning, "Session {SessionId}: the machine create it waited for failed; it asks again")]
    public static partial void CreateDeferred(this ILogger logger, Exception e, string sessionId);

    [LoggerMessage(1030, LogLevel.Information, "Session {SessionId} restarted by the client: destroying machine {MachineId}, making a new one")]
    public static partial void Restarting(this ILogger logger, string sessionId, string? machineId);
}
