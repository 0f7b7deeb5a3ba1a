using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;

namespace AgentCluster.Silo.Sessions;

/// <summary>Session ids: the caller's (checked, since it becomes a machine name and a storage key) or a new time-ordered one.</summary>
public static partial class SessionIds
{
    public static string New() => "ses_" + Guid.CreateVersion7().ToString("N");

    public static string Check(string id) =>
        Pattern().IsMatch(id) ? id : throw SessionException.Invalid("session_id",
            $"session_id '{Truncate(id)}' must be 1-64 characters: letters, digits, '_' or '-', starting with a letter or digit.");

    private static string Truncate(string id) => id.Length > 80 ? id[..80] + "…" : id;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex Pattern();
}
