using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Presets;

/// <summary>What a runtime's settings may say, whether a preset file or a request says it; each problem names its field.</summary>
public static partial class AgentSettingsRules
{
    public static readonly string[] PermissionModes = ["default", "acceptEdits", "plan", "bypassPermissions"];
    public const int MaxTools = 100;
    public const int MaxToolLength = 256;
    public const int MaxModelLength = 200;
    public const int MaxUrlLength = 2048;

    public static IEnumerable<FieldProblem> Problems(AgentSettings settings, int maxContentLength)
    {
        if (settings.Model is { } model && !ModelPattern().IsMatch(model))
            yield return new("model", $"model must be 1-{MaxModelLength} letters, digits or . _ : / @ - (a model name such as claude-sonnet-4-5).");
        if (settings.SystemPrompt is { } prompt)
        {
            if (string.IsNullOrWhiteSpace(prompt)) yield return new("system_prompt", "system_prompt must not be blank.");
            else if (prompt.Length > maxContentLength)
                yield return new("system_prompt", $"system_prompt may be at most {maxContentLength} characters (it has {prompt.Length}).");
        }
        foreach (var problem in ToolProblems("allowed_tools", settings.AllowedTools).Concat(ToolProblems("disallowed_tools", settings.DisallowedTools)))
            yield return problem;
        if (settings.PermissionMode is { } mode && !PermissionModes.Contains(mode))
            yield return new("permission_mode", $"permission_mode '{mode}' is not one of: {string.Join(", ", PermissionModes)}.");
        if (settings.MaxTurns < 1) yield return new("max_turns", $"max_turns must be at least 1 (got {settings.MaxTurns}).");
        if (settings.Repository is { } repository)
            foreach (var problem in RepositoryProblems(repository)) yield return problem;
    }

    private static IEnumerable<FieldProblem> ToolProblems(string field, IReadOnlyList<string>? tools)
    {
        if (tools is null) yield break;
        if (tools.Count > MaxTools) yield return new(field, $"{field} may list at most {MaxTools} tools.");
        for (var i = 0; i < tools.Count; i++)
            if (string.IsNullOrWhiteSpace(tools[i]) || tools[i].Length > MaxToolLength || tools[i].Any(char.IsControl))
                yield return new($"{field}[{i}]", $"{field}[{i}] must be a tool name such as Read or Bash(git:*), 1-{MaxToolLength} characters.");
    }

    private static IEnumerable<FieldProblem> RepositoryProblems(RepositorySpec repository)
    {
        if (!IsRepositoryUrl(repository.Url))
            yield return new("repository.url",
                "repository.url must be an https://, http://, ssh:// or file:// URL or git@host:path, without a password or token in it " +
                "(private repositories: give the agent a credential instead).");
        if (repository.Branch is { } branch && !IsSafeRef(branch))
            yield return new("repository.branch", $"repository.branch '{branch}' is not a branch name git accepts (letters, digits, '.', '_', '-', '/').");
    }

    /// <summary>A URL git can clone that cannot be taken for an option and carries no secret into stored state.</summary>
    public static bool IsRepositoryUrl(string url)
    {
        if (url.Length is 0 or > MaxUrlLength || url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) return false;
        if (ScpLikeUrl().IsMatch(url)) return true;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        return uri.Scheme switch
        {
            "https" or "http" => uri.Host.Length > 0 && uri.UserInfo.Length == 0,
            "ssh" => uri.Host.Length > 0 && !uri.UserInfo.Contains(':'),
            // Written out: .NET would take a bare path for a file URL too.
            "file" => url.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && uri.AbsolutePath.Length > 1,
            _ => false,
        };
    }

    /// <summary>git check-ref-format's rules, less what no branch worth naming needs (no '@{', '~', '^', ':', spaces).</summary>
    public static bool IsSafeRef(string name) =>
        RefPattern().IsMatch(name) && !name.Contains("..") && !name.Contains("//") && !name.Contains("/.")
        && !name.EndsWith('/') && !name.EndsWith('.') && !name.EndsWith(".lock", StringComparison.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9._:/@-]{1,200}$")]
    private static partial Regex ModelPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}$")]
    private static partial Regex RefPattern();

    /// <summary>git's scp-like form: <c>git@github.com:owner/repo.git</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[A-Za-z0-9._~/-][A-Za-z0-9._~/-]*$")]
    private static partial Regex ScpLikeUrl();
}
