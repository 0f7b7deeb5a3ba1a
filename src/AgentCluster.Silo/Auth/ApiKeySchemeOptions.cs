using Microsoft.AspNetCore.Authentication;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// Where the API key may also come as HTTP Basic (user: the key's name, password: the key): pages a person opens
/// in a browser, which cannot send a bearer header from the address bar but asks for Basic credentials when
/// challenged. Everywhere else only <c>Authorization: Bearer</c> counts.
/// </summary>
public sealed class ApiKeySchemeOptions : AuthenticationSchemeOptions
{
    public List<PathString> BasicPaths { get; } = [];

    public bool AcceptsBasic(PathString path) => BasicPaths.Exists(p => path.StartsWithSegments(p));
}
