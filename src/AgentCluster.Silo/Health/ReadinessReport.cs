using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Health;

/// <summary>The answer of <c>/health</c>: the process serves; <c>fly</c> says whether it drives Fly or its embedded emulator.</summary>
public sealed record LivenessReport(string Status, string Fly);

/// <summary>The answer of <c>/health/ready</c>: <c>healthy</c> when every check is, <c>degraded</c> (200 too) when one is, else <c>unhealthy</c> (503).</summary>
public sealed record ReadinessReport(string Status, IReadOnlyList<ReadinessCheck> Checks);

/// <summary>One dependency: its name (<c>silo</c>, <c>redis</c>, <c>machines_api</c>, <c>claude_code_cli</c>), <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, and why.</summary>
public sealed record ReadinessCheck(string Name, string Status, string? Reason, double DurationMs);
