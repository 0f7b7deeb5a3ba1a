namespace AgentCluster.Fly.Api;

/// <summary>
/// Exec calls (<see cref="IFlyMachinesApi.ExecMachineAsync"/>) last as long as their command: the client's attempt and
/// total timeouts, sized for calls Fly answers at once (or /wait's 60 s), would cut them short. Fly does not publish a
/// longest exec; this client waits up to an hour and a minute, and its callers bound each call by the command's own
/// timeout (their cancellation token).
/// </summary>
public static class FlyExecCalls
{
    public static readonly TimeSpan LongestCall = TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1);

    internal static bool IsExec(HttpRequestMessage? request) =>
        request?.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath.EndsWith("/exec", StringComparison.Ordinal) == true;
}
