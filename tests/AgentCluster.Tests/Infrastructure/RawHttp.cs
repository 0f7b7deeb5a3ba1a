using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// HTTP written by hand on a socket, for what HttpClient will not send: a body announced and never sent. It
/// asks <c>Expect: 100-continue</c>, as a careful client of a large upload does, so the node knows no body
/// follows when it answers at once.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string? ContentType, string Body);

    /// <summary>POSTs only the headers of a JSON body of <paramref name="contentLength"/> bytes and reads the answer.</summary>
    public static async Task<Answer> AnnounceBodyAsync(int port, string path, long contentLength, string? authorization)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" + (authorization is null ? "" : $"Authorization: {authorization}\r\n") +
                   $"Content-Type: application/json\r\nContent-Length: {contentLength}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);

        // The node answers and closes (or resets, the body it was promised never having come): the answer is
        // what arrived until then.
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (IOException) when (received.Length > 0)
        {
        }
        var response = Encoding.UTF8.GetString(received.ToArray());
        var headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = response[..headerEnd].Split("\r\n");
        var contentType = lines.Skip(1).Select(l => l.Split(':', 2)).Where(h => h[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[1].Split(';')[0].Trim()).FirstOrDefault();
        return new Answer(int.Parse(lines[0].Split(' ')[1]), contentType, response[(headerEnd + 4)..]);
    }
}
