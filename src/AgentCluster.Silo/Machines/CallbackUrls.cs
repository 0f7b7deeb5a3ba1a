using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// Where agents call back: the configured URLs, or else this node's own HTTP address (known once Kestrel
/// has bound it, which is before any session can be created).
/// </summary>
public sealed class CallbackUrls(IOptions<AgentSessionOptions> options, IServiceProvider services)
{
    public IReadOnlyList<string> Get()
    {
        if (options.Value.CallbackUrls.Count > 0) return options.Value.CallbackUrls;
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Count > 0
            ? addresses.ToList()
            : throw new InvalidOperationException("This node has no HTTP address yet; set AGENTCLUSTER_CALLBACK_URLS.");
    }
}
