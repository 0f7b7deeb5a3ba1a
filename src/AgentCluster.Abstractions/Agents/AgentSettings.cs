namespace AgentCluster.Abstractions.Agents;

/// <summary>
/// How the session's runtime runs its turns: resolved once from the preset and the request, stored with the
/// session (nothing secret is here) and fetched by the agent at start (<see cref="AgentSetup"/>). Every field is
/// optional: a runtime uses its own default for what is not set. The shell runtime ignores all of them.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentSettings")]
public sealed record AgentSettings
{
    /// <summary>The model (e.g. <c>claude-sonnet-4-5</c>).</summary>
    [Id(0)] public string? Model { get; init; }

    /// <summary>Appended to the runtime's own system prompt.</summary>
    [Id(1)] public string? SystemPrompt { get; init; }

    /// <summary>Tools the agent may use without asking (Claude Code's syntax: <c>Bash</c>, <c>Bash(git:*)</c>, <c>Read</c>, …).</summary>
    [Id(2)] public IReadOnlyList<string>? AllowedTools { get; init; }

    [Id(3)] public IReadOnlyList<string>? DisallowedTools { get; init; }

    /// <summary>Claude Code's permission mode: <c>default</c>, <c>acceptEdits</c>, <c>plan</c> or <c>bypassPermissions</c>.</summary>
    [Id(4)] public string? PermissionMode { get; init; }

    /// <summary>The most model round trips (agentic turns) one of our turns may take.</summary>
    [Id(5)] public int? MaxTurns { get; init; }

    /// <summary>A git repository cloned into the workspace before the first turn.</summary>
    [Id(6)] public RepositorySpec? Repository { get; init; }
}

/// <summary>A git repository to clone: its URL and, optionally, the branch (default: the remote's HEAD).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.RepositorySpec")]
public sealed record RepositorySpec
{
    [Id(0)] public required string Url { get; init; }
    [Id(1)] public string? Branch { get; init; }
}
