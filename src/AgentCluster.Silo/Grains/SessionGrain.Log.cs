using AgentCluster.Silo.Logging;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// What a session logs, source-generated (no formatting unless the level is on). Every line also carries the
/// session and machine ids as a scope (<see cref="GrainLogScopes"/>), so the Fly client's and Orleans' own
/// lines inside a session's calls can be found by the same ids. Never a token, a key, an env value or a prompt.
/// </summary>
public sealed partial class SessionGrain : IHasLogScope
{
    // Made again only when the machine changes: every grain call (heartbeats too) asks for it.
    private (string? MachineId, LogScope Scope)? logScope;

    LogScope IHasLogScope.LogScope
    {
        get
        {
            if (logScope is not { } cached || cached.MachineId != S.MachineId)
                logScope = cached = (S.MachineId, LogScope.ForSession(Id, S.MachineId));
            return cached.Scope;
        }
    }

    [LoggerMessage(1000, LogLevel.Information, "Session {SessionId} started on machine {MachineId} in {Region}")]
    private partial void LogStarted(string sessionId, string machineId, string? region);

    [LoggerMessage(1001, LogLevel.Information, "Session {SessionId} terminated: {Reason}")]
    private partial void LogTerminated(string sessionId, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Session {SessionId}: event log moved under this activation; deactivating")]
    private partial void LogEventLogMoved(string sessionId);

    [LoggerMessage(1003, LogLevel.Information, "Session {SessionId}: turn {Turn} interrupted by the client")]
    private partial void LogInterrupted(string sessionId, int turn);

    [LoggerMessage(1004, LogLevel.Warning, "Session {SessionId}: workspace {Workspace} not released or deleted: {Reason}")]
    private partial void LogWorkspaceNotReleased(string sessionId, string workspace, string reason);

    [LoggerMessage(1010, LogLevel.Warning, "Session {SessionId} expired: {Why}; destroying machine {MachineId}")]
    private partial void LogExpired(string sessionId, string why, string? machineId);

    [LoggerMessage(1011, LogLevel.Warning, "Session {SessionId}: the agent is silent in turn {Turn}")]
    private partial void LogSilent(string sessionId, int turn);

    [LoggerMessage(1012, LogLevel.Information, "Session {SessionId} idle since {IdleSince}: stopping machine {MachineId}")]
    private partial void LogSleeping(string sessionId, DateTimeOffset idleSince, string? machineId);

    [LoggerMessage(1013, LogLevel.Information, "Session {SessionId} woken: starting machine {MachineId}")]
    private partial void LogWoken(string sessionId, string? machineId);

    [LoggerMessage(1014, LogLevel.Warning, "Session {SessionId}: machine {MachineId} not destroyed yet; the reaper will retry")]
    private partial void LogDestroyDeferred(Exception e, string sessionId, string? machineId);

    [LoggerMessage(1015, LogLevel.Warning, "Destroying machine {MachineId}: tagged with session {SessionId}, which is {Status}")]
    private partial void LogDestroyingStray(string machineId, string sessionId, string status);

    [LoggerMessage(1016, LogLevel.Information, "Session {SessionId} re-attached to machine {MachineId}")]
    private partial void LogReattached(string sessionId, string machineId);
}
