using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Health;

/// <summary>
/// On the embedded default, agents are local processes that inherit this node's PATH, and find the Claude Code CLI
/// there (as <c>claude</c>; a session's env may name another with CLAUDE_CODE_PATH). When sessions default to
/// <c>claude-code</c> and there is none, every such session would fail its first turn: the node says so once at
/// start (the embedded default, <c>Fly/EmbeddedFly</c>) and <c>/health/ready</c> reports it degraded, not unhealthy, since shell
/// sessions and sessions that bring their own CLI path still run. Looked up on each check: installing the CLI
/// while the node runs clears it.
/// </summary>
public sealed class ClaudeCodeCliCheck(IOptions<AgentSessionOptions> sessions, IOptions<ModelOptions> models) : IHealthCheck
{
    public const string Name = "claude_code_cli";
    public const string Executable = "claude";

    public const string InstallHint =
        "install it with tools/claude-code/install.sh and put tools/claude-code/node_modules/.bin on the node's PATH, or with npm i -g @anthropic-ai/claude-code";

    /// <summary>Why sessions that default to claude-code cannot run here; null when they can, or do not default to it.</summary>
    public string? Problem() => Problem(Environment.GetEnvironmentVariable("PATH"));

    /// <param name="path">The PATH the agents inherit.</param>
    public string? Problem(string? path)
    {
        var runtime = sessions.Value.RuntimeFor(models.Value.HasKey);
        if (runtime != AgentRuntimes.ClaudeCode || Find(path) is not null) return null;
        return $"sessions default to runtime {runtime}, but there is no '{Executable}' (the Claude Code CLI) on this node's PATH, where its agents look: {InstallHint}.";
    }

    /// <summary>The CLI on <paramref name="path"/> (a PATH value), as the agent looks for it; null when there is none.</summary>
    public static string? Find(string? path) =>
        (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, Executable))
            .FirstOrDefault(File.Exists);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Problem() is { } problem
            ? HealthCheckResult.Degraded(problem)
            : HealthCheckResult.Healthy(sessions.Value.RuntimeFor(models.Value.HasKey) == AgentRuntimes.ClaudeCode
                ? "the Claude Code CLI is on PATH"
                : "sessions do not default to claude-code"));
}
