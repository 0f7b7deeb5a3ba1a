using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

/// <summary>
/// How workspaces are named: by their owner's choice (Fly's volume name rules: lower-case letters, digits and
/// '_', at most 30), or, for an unnamed one, after its session (with a '-', which no chosen name has, so the
/// two never meet). Keyed per owner; the Fly volume's name is a digest of that key, since Fly names are not
/// unique and have no room for the owner.
/// </summary>
public static partial class WorkspaceNames
{
    private const string SessionPrefix = "session-";

    /// <summary>The workspace a session asked for without a name: found again from the session id alone.</summary>
    public static string ForSession(string sessionId) => SessionPrefix + sessionId;

    /// <summary>An unnamed workspace, destroyed with its session.</summary>
    public static bool IsEphemeral(string name) => name.StartsWith(SessionPrefix, StringComparison.Ordinal);

    public static bool IsChosen(string name) => ChosenPattern().IsMatch(name);

    /// <summary>A name in a path (<c>/workspaces/{name}</c>): a chosen name or a session's.</summary>
    public static string Check(string name) =>
        IsChosen(name) || SessionPattern().IsMatch(name) ? name : throw SessionException.Invalid("name",
            $"'{(name.Length > 40 ? name[..40] + "…" : name)}' is not a workspace name: 1-30 lower-case letters, digits or '_'.");

    public static string Key(string owner, string name) => $"{owner}/{name}";

    /// <summary>Owner names have no '/', so the name is what follows the first.</summary>
    public static (string Owner, string Name) Parse(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary><c>ws_</c> and 27 hex digits of the key's SHA-256: 30 characters, within Fly's rules.</summary>
    public static string VolumeName(string key) => "ws_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..27];

    [GeneratedRegex("^[a-z0-9_]{1,30}$")]
    private static partial Regex ChosenPattern();

    [GeneratedRegex("^session-[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex SessionPattern();
}
