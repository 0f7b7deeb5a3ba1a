using System.Net;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// The addresses Kestrel will listen on, read from configuration the way Kestrel reads it, so that a node
/// with no API keys can refuse to start before it binds anything beyond loopback. Kestrel's precedence:
/// endpoints under <c>Kestrel:Endpoints</c>; else <c>urls</c> (ASPNETCORE_URLS, URLS, --urls); else
/// <c>http_ports</c>/<c>https_ports</c> (ASPNETCORE_HTTP_PORTS: every interface).
/// </summary>
public static class ListenAddresses
{
    public const string Default = "http://127.0.0.1:8080";

    /// <summary>
    /// PORT listens on loopback at that port (it wins over the rest); with nothing configured the node listens
    /// on <see cref="Default"/>. In a Fly Machine both mean every address instead, <see cref="FlyNode.HttpUrl"/>:
    /// Fly's proxy and the other nodes reach it over the private network. The default is set here, not in
    /// appsettings.json, where it would silently override ASPNETCORE_URLS (appsettings is read after the
    /// ASPNETCORE_ variables).
    /// </summary>
    public static void Apply(WebApplicationBuilder builder)
    {
        var fly = FlyNode.Of(builder.Configuration);
        if (builder.Configuration["PORT"] is { Length: > 0 } port) builder.WebHost.UseUrls(fly?.HttpUrl ?? $"http://127.0.0.1:{port}");
        else if (Configured(builder.Configuration).Count == 0) builder.WebHost.UseUrls(fly?.HttpUrl ?? Default);
    }

    public static IReadOnlyList<string> Of(IConfiguration config) => Configured(config) is { Count: > 0 } urls ? urls : [Default];

    /// <summary>
    /// Reachable from other machines: any IP but loopback, a wildcard, or a host name other than localhost
    /// (Kestrel binds every interface for those), or an address it cannot read. Unix sockets and named pipes
    /// are local.
    /// </summary>
    public static bool IsBeyondLoopback(string url)
    {
        BindingAddress address;
        try { address = BindingAddress.Parse(url); }
        catch (FormatException) { return true; }
        if (address.IsUnixPipe || address.IsNamedPipe) return false;
        var host = address.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return false;
        return !IPAddress.TryParse(host, out var ip) || !IPAddress.IsLoopback(ip);
    }

    private static IReadOnlyList<string> Configured(IConfiguration config)
    {
        var endpoints = config.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => e["Url"]).OfType<string>().Where(u => u.Length > 0).ToList();
        if (endpoints.Count > 0) return endpoints;
        if (config[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls) return Split(urls);
        return Split(config[WebHostDefaults.HttpPortsKey]).Select(p => $"http://*:{p}")
            .Concat(Split(config[WebHostDefaults.HttpsPortsKey]).Select(p => $"https://*:{p}")).ToList();
    }

    private static List<string> Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
