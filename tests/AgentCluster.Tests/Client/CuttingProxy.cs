using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.Tests.Client;

/// <summary>
/// A reverse proxy in front of a node that cuts event streams as a flaky network or a restarting load balancer
/// would: each of the first <see cref="Cuts"/> <c>/events</c> connections is aborted (a TCP reset) after
/// <see cref="FramesPerConnection"/> whole frames, in the middle of the next one. Every other request passes through.
/// It records each event stream's Last-Event-ID and the id of the last whole frame it let through.
/// </summary>
public sealed class CuttingProxy : FakeHttpServer
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Transfer-Encoding", "Connection", "Keep-Alive", "Host" };
    private readonly HttpClient upstream;
    private int cutsLeft;

    private CuttingProxy(Uri node, int cuts, int framesPerConnection)
    {
        upstream = new HttpClient { BaseAddress = node, Timeout = Timeout.InfiniteTimeSpan };
        cutsLeft = cuts;
        FramesPerConnection = framesPerConnection;
    }

    public int FramesPerConnection { get; }

    /// <summary>Each /events connection in order: the Last-Event-ID it asked from, the last whole frame's id it got, whether it was cut.</summary>
    public List<(string? LastEventId, long? LastForwarded, bool Cut)> Streams { get; } = [];

    public static Task<CuttingProxy> StartAsync(Uri node, int cuts, int framesPerConnection) =>
        StartAsync(new CuttingProxy(node, cuts, framesPerConnection));

    protected override void Map(WebApplication app) => app.Run(ForwardAsync);

    private async Task ForwardAsync(HttpContext context)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0) request.Content = new StreamContent(context.Request.Body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray())) request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        using var response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            if (!HopByHop.Contains(name)) context.Response.Headers[name] = values.ToArray();
        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);

        var events = context.Request.Path.Value!.EndsWith("/events") && response.IsSuccessStatusCode;
        var cut = events && Interlocked.Decrement(ref cutsLeft) >= 0;
        if (!events)
        {
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
            return;
        }
        int index;
        lock (Streams)
        {
            Streams.Add((context.Request.Headers["Last-Event-ID"].FirstOrDefault(), null, cut));
            index = Streams.Count - 1;
        }
        await RelayFramesAsync(body, context, cut, lastId => { lock (Streams) Streams[index] = Streams[index] with { LastForwarded = lastId }; });
    }

    /// <summary>Frame by frame (a frame ends at a blank line); when cutting, a piece of the frame after the last whole one goes out, then the reset.</summary>
    private async Task RelayFramesAsync(Stream body, HttpContext context, bool cut, Action<long> forwarded)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        var frame = new StringBuilder();
        var frames = 0;
        while (await reader.ReadLineAsync(context.RequestAborted) is { } line)
        {
            frame.Append(line).Append('\n');
            if (line.Length > 0) continue;
            var text = frame.ToString();
            frame.Clear();
            if (cut && frames == FramesPerConnection)
            {
                await context.Response.WriteAsync(text[..(text.Length / 2)], context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
                return;
            }
            await context.Response.WriteAsync(text, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // A frame's lines in any order (SseFormatter writes event, data, then id); a comment frame has no id.
            if (text.Split('\n').FirstOrDefault(l => l.StartsWith("id: ", StringComparison.Ordinal)) is { } id)
            {
                frames++;
                forwarded(long.Parse(id[4..]));
            }
        }
    }

    protected override ValueTask OnStoppingAsync()
    {
        upstream.Dispose();
        return ValueTask.CompletedTask;
    }
}
