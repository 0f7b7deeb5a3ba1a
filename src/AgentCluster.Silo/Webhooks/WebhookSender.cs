using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentCluster.Silo.Webhooks;

/// <summary>How one delivery attempt went: delivered, or why not, whether the receiver asked to wait, and whether retrying is pointless.</summary>
public sealed record SendOutcome(bool Delivered, string? Error = null, TimeSpan? RetryAfter = null, bool Final = false);

/// <summary>
/// Sends one signed webhook. Its HTTP client follows no redirect (a 3xx is a failure: it could point anywhere) and
/// connects only to addresses <see cref="WebhookAddressPolicy"/> allows, checked on the addresses it actually
/// connects to, so a name that changes its answer after the check (DNS rebinding) gains nothing.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients)
{
    public const string ClientName = "webhooks";

    /// <summary>The handler of the webhooks client: the connect-time address check, no redirects, no cookies, no proxy.</summary>
    /// <param name="resolve">Looks a host name up (default: the system's DNS); a seam so tests can make a name resolve anywhere.</param>
    public static SocketsHttpHandler Handler(WebhookAddressPolicy policy, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await (resolve ?? Dns.GetHostAddressesAsync)(host, cancellationToken);
            if (policy.DecideAll(host, addresses) is { Allowed: false } refused)
                throw new WebhookRefusedException($"webhook target refused: {refused.Reason}");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public async Task<SendOutcome> SendAsync(string url, string secret, string webhookId, string body, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var headers = WebhookSigner.Sign(secret, webhookId, now, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookHeaders.IdHeader, headers.Id);
        request.Headers.Add(WebhookHeaders.TimestampHeader, headers.Timestamp);
        request.Headers.Add(WebhookHeaders.SignatureHeader, headers.Signature);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode) return new SendOutcome(true);
            var retryAfter = response.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date - now) : null;
            return new SendOutcome(false, $"HTTP {(int)response.StatusCode}", retryAfter);
        }
        catch (HttpRequestException e)
        {
            // The refusal is inside: say it, not "connection failed".
            return new SendOutcome(false, e.InnerException is WebhookRefusedException refused ? refused.Message : e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(false, "timed out");
        }
    }
}

public sealed class WebhookRefusedException(string message) : IOException(message);
