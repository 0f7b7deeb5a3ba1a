using System.Text.RegularExpressions;

namespace AgentCluster.Fly;

/// <summary>
/// Where the Machines API is and who we are to it. Read from the variables Fly users already know:
/// <c>FLY_API_URL</c> (default the public API), <c>FLY_API_TOKEN</c>, and the agents' app from
/// <c>FLY_AGENT_APP</c> (or, outside a Fly Machine, <c>FLY_APP_NAME</c>), or several from <c>FLY_AGENT_APPS</c>,
/// or the <c>Fly</c> section.
/// </summary>
public sealed partial class FlyOptions
{
    public static readonly Uri PublicApiUrl = new("https://api.machines.dev");

    /// <summary>
    /// The agents' app. Not FLY_APP_NAME: in a Fly Machine Fly sets that to the Machine's own app, so it names
    /// the agents' app only outside one, where it still does.
    /// </summary>
    public const string AgentAppVariable = "FLY_AGENT_APP";

    /// <summary>Several agents' apps, comma-separated (<c>FLY_AGENT_APPS=acme-agents-1,acme-agents-2</c>).</summary>
    public const string AgentAppsVariable = "FLY_AGENT_APPS";

    /// <summary>Base URL without <c>/v1</c>: <c>https://api.machines.dev</c>, <c>http://_api.internal:4280</c> or the local emulator.</summary>
    public Uri ApiUrl { get; set; } = PublicApiUrl;

    /// <summary>A bearer token, or a <c>FlyV1 …</c> macaroon token sent as it is. Never logged.</summary>
    public string? ApiToken { get; set; }

    /// <summary>
    /// The app the agent machines live in; with several (<see cref="AgentApps"/>) the first of them unless set, and
    /// then one of them.
    /// </summary>
    public string? AppName { get; set; }

    /// <summary>
    /// Several agents' apps (<c>FLY_AGENT_APPS=a,b,c</c>, or <c>Fly:AgentApps</c>): machine creates are spread over
    /// them, each app bringing its own create budget (Fly limits creates per app). Empty: <see cref="AppName"/> alone.
    /// </summary>
    public List<string> AgentApps { get; set; } = [];

    /// <summary>Every app agent machines are created in: <see cref="AgentApps"/>, or else <see cref="AppName"/>.</summary>
    public IReadOnlyList<string> Apps => AgentApps.Count > 0 ? AgentApps : AppName is { Length: > 0 } app ? [app] : [];

    public FlyRetryOptions Retry { get; set; } = new();

    /// <summary>
    /// Keep to Fly's published rate limits on this side (per action and machine or app: 1/s, bursts of 3; Get
    /// Machine 5/s, bursts of 10): requests over them wait rather than draw 429s.
    /// </summary>
    public bool ClientRateLimits { get; set; } = true;

    /// <summary>
    /// Per attempt. Longer than /wait's 60 s server-side block, so a wait is never cut short by the client.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>All attempts of one call, retries and their delays included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary><c>FLY_AGENT_APPS</c>'s value as a list: split at commas, trimmed, empty entries left out.</summary>
    public static List<string> ParseAppList(string value) =>
        [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private IEnumerable<string> AppProblems()
    {
        if (Apps.Count == 0)
        {
            yield return $"{AgentAppVariable} (or Fly:AppName), or {AgentAppsVariable} (or Fly:AgentApps:0, 1, …), is required: " +
                "the app(s) the agent machines are created in.";
            yield break;
        }
        if (AppName is { Length: > 0 } && !IsAppName(AppName))
            yield return $"{AgentAppVariable} (Fly:AppName) '{AppName}' is no Fly app name: {AppNameRule}";
        foreach (var app in AgentApps.Where(a => !IsAppName(a)))
            yield return $"{AgentAppsVariable} (Fly:AgentApps) names '{app}', no Fly app name: {AppNameRule}";
        foreach (var app in AgentApps.GroupBy(a => a).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return $"{AgentAppsVariable} (Fly:AgentApps) names '{app}' more than once.";
        if (AgentApps.Count > 0 && AppName is { Length: > 0 } && !AgentApps.Contains(AppName))
            yield return $"{AgentAppVariable} (Fly:AppName) '{AppName}' is not one of {AgentAppsVariable} ({string.Join(", ", AgentApps)}): " +
                $"list it there, or leave {AgentAppVariable} unset (the first of the list is then the main app).";
    }

    private const string AppNameRule = "lowercase letters, digits and dashes, beginning with a letter or digit, at most 63 characters.";

    /// <summary>Fly's rule for app names (as the emulator applies it): they are also DNS labels (<c>&lt;app&gt;.internal</c>).</summary>
    private static bool IsAppName(string name) => AppNamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex AppNamePattern();

    internal Uri VersionedBaseAddress => new(ApiUrl.ToString().TrimEnd('/') + "/v1");

    /// <summary>The reasons the options cannot work, empty when they can.</summary>
    public IEnumerable<string> Validate()
    {
        if (!ApiUrl.IsAbsoluteUri || ApiUrl.Scheme is not ("http" or "https"))
            yield return $"FLY_API_URL must be an absolute http(s) URL, not '{ApiUrl}'.";
        if (string.IsNullOrWhiteSpace(ApiToken))
            yield return "FLY_API_TOKEN is required: the Machines API answers 401 without a token.";
        foreach (var problem in AppProblems()) yield return problem;
        if (Retry.MaxRetryAttempts < 0) yield return "Fly:Retry:MaxRetryAttempts must be 0 or more.";
        if (AttemptTimeout <= TimeSpan.FromSeconds(60))
            yield return "Fly:AttemptTimeout must exceed 60 s, the longest a /wait call blocks.";
    }
}

public sealed class FlyRetryOptions
{
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First backoff; it grows exponentially with jitter unless Fly sends Retry-After.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
}
