using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// The agent's whole configuration, read once from the environment the session gave the machine.
/// A class, not a record: a record's generated ToString would print the token into a log.
/// </summary>
internal sealed class AgentConfig
{
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultOrphanTimeout = TimeSpan.FromMinutes(5);
    public const string DefaultRuntime = "shell";

    public required string SessionId { get; init; }
    public required string Token { get; init; }

    /// <summary>Each ends with '/', so that the protocol's relative paths append to it instead of replacing its last segment.</summary>
    public required IReadOnlyList<Uri> OrchestratorUrls { get; init; }

    public required string Runtime { get; init; }
    public required TimeSpan HeartbeatInterval { get; init; }
    public required TimeSpan OrphanTimeout { get; init; }
    public required string Workspace { get; init; }
    public required string MachineId { get; init; }

    public static AgentConfig FromEnvironment() => Load(Environment.GetEnvironmentVariable);

    /// <exception cref="AgentExit">Exit code 2, naming the variable that is missing or malformed.</exception>
    public static AgentConfig Load(Func<string, string?> environment)
    {
        string Required(string name) =>
            environment(name) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
                ? value.Trim()
                : throw AgentExit.Misconfigured($"{name} is required but not set");

        TimeSpan Duration(string name, TimeSpan fallback) => environment(name) switch
        {
            null or "" => fallback,
            var text when Durations.TryParse(text, out var value) => value,
            var text => throw AgentExit.Misconfigured($"{name}='{text}' is not a positive duration (seconds like 10 or 0.5, or 00:00:10)"),
        };

        var sessionId = Required(AgentEnvironment.SessionId);
        var token = Required(AgentEnvironment.SessionToken);
        var urls = Required(AgentEnvironment.OrchestratorUrls)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => ParseBaseUrl(AgentEnvironment.OrchestratorUrls, text))
            .ToList();
        if (urls.Count == 0) throw AgentExit.Misconfigured($"{AgentEnvironment.OrchestratorUrls} lists no URL");

        return new AgentConfig
        {
            SessionId = sessionId,
            Token = token,
            OrchestratorUrls = urls,
            Runtime = environment(AgentEnvironment.Runtime) is { Length: > 0 } runtime ? runtime.Trim() : DefaultRuntime,
            HeartbeatInterval = Duration(AgentEnvironment.HeartbeatInterval, DefaultHeartbeatInterval),
            OrphanTimeout = Duration(AgentEnvironment.OrphanTimeout, DefaultOrphanTimeout),
            Workspace = environment(AgentEnvironment.Workspace) is { Length: > 0 } workspace ? workspace : Environment.CurrentDirectory,
            MachineId = environment("FLY_MACHINE_ID") is { Length: > 0 } machine ? machine : "local",
        };
    }

    private static Uri ParseBaseUrl(string name, string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw AgentExit.Misconfigured($"{name} has '{text}', which is not an http(s) URL");
        return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }
}
