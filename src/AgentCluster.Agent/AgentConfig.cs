using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// The agent's whole configuration, read once from the environment the machine was given: a session's (its id,
/// token and runtime), or a pool machine's (<see cref="Pool"/>), which waits with its pool credential for the session
/// that claims it and then is that session's (<see cref="Claimed"/>). Never both: a machine is made for one or the other.
/// A class, not a record: a record's generated ToString would print the token into a log.
/// </summary>
internal sealed class AgentConfig
{
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultOrphanTimeout = TimeSpan.FromMinutes(5);
    public const string DefaultRuntime = "shell";

    /// <summary>Fly sets it in every machine; a pool machine's claim is asked for by it.</summary>
    public const string MachineIdVariable = "FLY_MACHINE_ID";

    private static readonly string[] SessionVariables = [AgentEnvironment.SessionId, AgentEnvironment.SessionToken, AgentEnvironment.Runtime];

    /// <summary>Empty while a pool machine waits for its claim.</summary>
    public required string SessionId { get; init; }

    /// <summary>The session's token; empty while a pool machine waits for its claim.</summary>
    public required string Token { get; init; }

    /// <summary>The pool this machine waits in for a session to claim it; null for a session's machine.</summary>
    public string? Pool { get; init; }

    /// <summary>The pool credential, good only for asking which session claimed this machine; null for a session's machine.</summary>
    public string? PoolToken { get; init; }

    /// <summary>Each ends with '/', so that the protocol's relative paths append to it instead of replacing its last segment.</summary>
    public required IReadOnlyList<Uri> OrchestratorUrls { get; init; }

    /// <summary>Empty while a pool machine waits for its claim.</summary>
    public required string Runtime { get; init; }
    public required TimeSpan HeartbeatInterval { get; init; }
    public required TimeSpan OrphanTimeout { get; init; }
    public required string Workspace { get; init; }
    public required string MachineId { get; init; }

    public static AgentConfig FromEnvironment() => Load(Environment.GetEnvironmentVariable);

    /// <exception cref="AgentExit">Exit code 2, naming the variable that is missing or malformed.</exception>
    public static AgentConfig Load(Func<string, string?> environment)
    {
        string? Optional(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        string Required(string name) => Optional(name) ?? throw AgentExit.Misconfigured($"{name} is required but not set");

        TimeSpan Duration(string name, TimeSpan fallback) => environment(name) switch
        {
            null or "" => fallback,
            var text when Durations.TryParse(text, out var value) => value,
            var text => throw AgentExit.Misconfigured($"{name}='{text}' is not a positive duration (seconds like 10 or 0.5, or 00:00:10)"),
        };

        var urls = Required(AgentEnvironment.OrchestratorUrls)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => ParseBaseUrl(AgentEnvironment.OrchestratorUrls, text))
            .ToList();
        if (urls.Count == 0) throw AgentExit.Misconfigured($"{AgentEnvironment.OrchestratorUrls} lists no URL");

        var poolToken = Optional(AgentEnvironment.PoolToken);
        var pooled = poolToken is not null;
        if (!pooled && Optional(AgentEnvironment.SessionToken) is null)
            throw AgentExit.Misconfigured($"{AgentEnvironment.SessionToken} is required but not set (or {AgentEnvironment.PoolToken}, on a pool machine)");
        // Which of the two to serve would be anyone's guess: the machine's config was made wrong.
        if (pooled && SessionVariables.FirstOrDefault(name => Optional(name) is not null) is { } session)
            throw AgentExit.Misconfigured($"{session} is set beside {AgentEnvironment.PoolToken}: a pool machine learns its session from its claim");

        return new AgentConfig
        {
            SessionId = pooled ? "" : Required(AgentEnvironment.SessionId),
            Token = pooled ? "" : Required(AgentEnvironment.SessionToken),
            OrchestratorUrls = urls,
            Runtime = pooled ? "" : Optional(AgentEnvironment.Runtime) ?? DefaultRuntime,
            HeartbeatInterval = Duration(AgentEnvironment.HeartbeatInterval, DefaultHeartbeatInterval),
            OrphanTimeout = Duration(AgentEnvironment.OrphanTimeout, DefaultOrphanTimeout),
            Workspace = environment(AgentEnvironment.Workspace) is { Length: > 0 } workspace ? workspace : Environment.CurrentDirectory,
            // A claim is asked for by machine: "local" would name every pool machine alike.
            MachineId = pooled ? Required(MachineIdVariable) : Optional(MachineIdVariable) ?? "local",
            Pool = pooled ? Required(AgentEnvironment.Pool) : null,
            PoolToken = poolToken,
        };
    }

    /// <summary>The session's config for a pool machine the session claimed: the claim's session, the machine's own settings.</summary>
    public AgentConfig Claimed(AgentClaim claim) => new()
    {
        SessionId = claim.SessionId,
        Token = claim.Token,
        OrchestratorUrls = OrchestratorUrls,
        Runtime = string.IsNullOrWhiteSpace(claim.Runtime) ? DefaultRuntime : claim.Runtime.Trim(),
        HeartbeatInterval = HeartbeatInterval,
        OrphanTimeout = OrphanTimeout,
        Workspace = Workspace,
        MachineId = MachineId,
    };

    private static Uri ParseBaseUrl(string name, string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw AgentExit.Misconfigured($"{name} has '{text}', which is not an http(s) URL");
        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }
}
