using System.Text.Json.Serialization;

namespace AgentCluster.Fly.Models;

/// <summary>A Fly app: the namespace machines live in (spec <c>App</c>).</summary>
public sealed record App
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Status { get; init; }
    public AppOrganization? Organization { get; init; }
    public long? InternalNumericId { get; init; }
    public int? MachineCount { get; init; }
    public int? VolumeCount { get; init; }
    public string? Network { get; init; }
}

public sealed record AppOrganization
{
    public string? Name { get; init; }
    public string? Slug { get; init; }
    public long? InternalNumericId { get; init; }
}

/// <summary>Spec <c>CreateAppRequest</c>. Older docs spell the name <c>app_name</c>; Fly accepts both.</summary>
public sealed record CreateAppRequest
{
    public string? Name { get; init; }

    [JsonPropertyName("app_name")]
    public string? LegacyAppName { get; init; }

    public required string OrgSlug { get; init; }
    public string? Network { get; init; }
    public bool? EnableSubdomains { get; init; }
}

public sealed record ListAppsResponse
{
    public int TotalApps { get; init; }
    public IReadOnlyList<App> Apps { get; init; } = [];
}
