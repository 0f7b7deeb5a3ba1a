using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AgentCluster.Agent.Control;

/// <summary>
/// Who may use the control server, and on which workspace: armed at the session's setup with the control key the node
/// handed over (a new one at every setup) and the folder the turns run in. Before that every call is 503; a call
/// without <c>Authorization: Bearer &lt;key&gt;</c> is 401. Only the key's hash is kept, and compared in constant time.
/// </summary>
internal sealed class ControlGate
{
    private Armed? armed;

    public sealed record Armed(byte[] KeyHash, WorkspaceFiles Files, WorkspaceArchive Archive);

    /// <summary>The workspace of the armed session; null before setup.</summary>
    public Armed? Current => Volatile.Read(ref armed);

    /// <param name="key">Null (a node that hands out no key) leaves the server refusing every call.</param>
    public void Arm(string? key, string workspace)
    {
        if (string.IsNullOrEmpty(key)) return;
        Directory.CreateDirectory(workspace);
        var files = new WorkspaceFiles(new WorkspacePaths(workspace));
        Volatile.Write(ref armed, new Armed(Hash(key), files, new WorkspaceArchive(files)));
    }

    /// <returns>Null when the call may go on; else the refusal to write.</returns>
    public ControlRefusal? Check(HttpRequest request)
    {
        if (Current is not { } current)
            return new ControlRefusal(StatusCodes.Status503ServiceUnavailable, "Not ready", "The agent has no session set up yet: nothing can be reached before its setup.");
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        if (presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Hash(presented), current.KeyHash)) return null;
        request.HttpContext.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return new ControlRefusal(StatusCodes.Status401Unauthorized, "Unauthorized", "A control call carries 'Authorization: Bearer <the control key of the session's setup>'.");
    }

    /// <summary>Equal lengths whatever was presented, so that the comparison's time says nothing about the key.</summary>
    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
