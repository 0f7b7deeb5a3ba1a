using System.Net;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Webhooks;

/// <summary>The checks of a subscription's URL when it is made: its form, then every address its host resolves to.</summary>
public sealed class WebhookTargets(WebhookAddressPolicy policy)
{
    public async Task<string> CheckAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url)) throw SessionException.Invalid("url", "url is required.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw SessionException.Invalid("url", "url must be an absolute http or https URL.");
        if (uri.UserInfo.Length > 0) throw SessionException.Invalid("url", "url must not carry a user name or password.");
        if (uri.Fragment.Length > 0) throw SessionException.Invalid("url", "url must not have a fragment.");
        var host = uri.IdnHost;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw SessionException.Invalid("url", $"url's host '{host}' does not resolve.");
        }
        if (policy.DecideAll(host, addresses) is { Allowed: false } refused)
            throw SessionException.Invalid("url", $"url's host '{host}' is refused: {refused.Reason} (allow it with Webhooks:AllowedTargets).");
        return uri.ToString();
    }

    public static List<string> CheckEvents(List<string>? events)
    {
        if (events is null || events.Count == 0)
            throw SessionException.Invalid("events", $"events must name at least one of {string.Join(", ", WebhookEvents.All)}.");
        if (events.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown)
            throw SessionException.Invalid("events", $"events: '{unknown}' is not one of {string.Join(", ", WebhookEvents.All)}.");
        return events.Distinct().ToList();
    }
}
