using System.Net;
using System.Net.Sockets;

namespace AgentCluster.Silo.Webhooks;

/// <summary>Whether a webhook may go to an address, and if not, why (said to the user in a 400 or a delivery's last error).</summary>
public readonly record struct AddressDecision(bool Allowed, string? Reason)
{
    public static readonly AddressDecision Allow = new(true, null);

    public static AddressDecision Refuse(string reason) => new(false, reason);
}

/// <summary>
/// The guard against server-side request forgery: a webhook is the node making a request where a user says, so it
/// must not reach what only the node can reach (its loopback, its private network, the cloud's metadata service on
/// link-local). Refused unless the node itself listens only on loopback (then it is one user's own machine and
/// loopback targets are the point) or an allow-list entry names the host or a range holding the address.
/// Every address a name resolves to is judged, at creation and again at every connect (DNS may change).
/// </summary>
public sealed class WebhookAddressPolicy
{
    // Ranges no public receiver lives in; loopback and IPv4-mapped addresses are handled before these.
    private static readonly (IPNetwork Range, string Kind)[] NonPublic =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "private (carrier-grade NAT)"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved (benchmarking)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("64:ff9b::/96"), "NAT64"),
        (IPNetwork.Parse("fc00::/7"), "private (unique local)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private readonly bool loopbackNode;
    private readonly HashSet<string> allowedHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> allowedRanges = [];

    /// <param name="loopbackNode">The node listens only on loopback: loopback targets are allowed.</param>
    /// <param name="allowedTargets">Host names or CIDR ranges allowed whatever their addresses (checked by <see cref="IsValidAllowEntry"/> at start-up).</param>
    public WebhookAddressPolicy(bool loopbackNode, IEnumerable<string> allowedTargets)
    {
        this.loopbackNode = loopbackNode;
        foreach (var entry in allowedTargets)
        {
            if (TryParseRange(entry, out var range)) allowedRanges.Add(range);
            else allowedHosts.Add(entry.Trim().TrimEnd('.'));
        }
    }

    /// <summary>An allow-list entry is a CIDR range, a single address, or a DNS host name.</summary>
    public static bool IsValidAllowEntry(string entry) =>
        TryParseRange(entry, out _) || Uri.CheckHostName(entry.Trim()) == UriHostNameType.Dns;

    /// <summary>Whether a target host is allowed whatever it resolves to (named by the allow-list).</summary>
    public bool IsAllowedHost(string host) => allowedHosts.Contains(host.TrimEnd('.'));

    /// <summary>The decision for one address that <paramref name="host"/> resolved to (or is).</summary>
    public AddressDecision Decide(string host, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4(); // ::ffff:10.0.0.1 is 10.0.0.1
        if (IsAllowedHost(host) || allowedRanges.Any(r => r.Contains(address))) return AddressDecision.Allow;
        if (IPAddress.IsLoopback(address))
            return loopbackNode ? AddressDecision.Allow : AddressDecision.Refuse($"{address} is a loopback address");
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            return AddressDecision.Refuse($"{address} is not an IP address");
        if (address.Equals(IPAddress.Broadcast)) return AddressDecision.Refuse($"{address} is the broadcast address");
        foreach (var (range, kind) in NonPublic)
            if (range.Contains(address)) return AddressDecision.Refuse($"{address} is a {kind} address");
        return AddressDecision.Allow;
    }

    /// <summary>All of <paramref name="addresses"/> must be allowed: a name with one public and one private address is refused.</summary>
    public AddressDecision DecideAll(string host, IReadOnlyCollection<IPAddress> addresses)
    {
        if (addresses.Count == 0) return AddressDecision.Refuse($"'{host}' has no address");
        foreach (var address in addresses)
            if (Decide(host, address) is { Allowed: false } refused) return refused;
        return AddressDecision.Allow;
    }

    private static bool TryParseRange(string entry, out IPNetwork range)
    {
        entry = entry.Trim();
        if (IPAddress.TryParse(entry, out var single))
        {
            range = new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return IPNetwork.TryParse(entry, out range);
    }
}
