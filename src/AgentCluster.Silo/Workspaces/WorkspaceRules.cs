using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

/// <summary>What a session may ask of a workspace; every refusal names the field and the rule.</summary>
public static class WorkspaceRules
{
    public const int DefaultSizeGb = 10;
    public const int MinSizeGb = 1;

    /// <summary>Fly's largest volume.</summary>
    public const int MaxSizeGb = 500;

    public static void Validate(WorkspaceSpec? spec)
    {
        if (spec is null) return;
        if (spec.Name is { } name && !WorkspaceNames.IsChosen(name))
            throw SessionException.Invalid("workspace.name",
                $"workspace.name '{(name.Length > 40 ? name[..40] + "…" : name)}' must be 1-30 lower-case letters, digits or '_' (Fly's volume names).");
        if (spec.SizeGb is { } size && size is < MinSizeGb or > MaxSizeGb)
            throw SessionException.Invalid("workspace.size_gb", $"workspace.size_gb must be between {MinSizeGb} and {MaxSizeGb} (GB), not {size}.");
    }
}
