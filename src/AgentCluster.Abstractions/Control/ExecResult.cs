namespace AgentCluster.Abstractions.Control;

/// <summary>
/// How an exec ended, with its output: each stream cut at the request's <c>max_output_bytes</c> (<see cref="Truncated"/>
/// then says so). <see cref="ExitCode"/> is the process's (128 + the signal when a signal ended it, as a shell shows it:
/// 137 for a timed-out command, killed with SIGKILL). <see cref="Via"/>: <c>agent</c>, or <c>fly</c> when the agent did
/// not answer and Fly's own exec ran it (no streaming, Fly's limits).
/// </summary>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr, bool TimedOut, bool Truncated, long DurationMs, string? Via = null);

/// <summary>An <c>exec.output</c> frame of a streamed exec: <see cref="Stream"/> is <c>stdout</c> or <c>stderr</c>.</summary>
public sealed record ExecOutputEvent(string Stream, string Text);

/// <summary>The last frame of a streamed exec (<c>exec.exit</c>).</summary>
public sealed record ExecExitEvent(int ExitCode, bool TimedOut, bool Truncated, long DurationMs, string? Via = null);
