using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Api;

/// <summary>
/// A long-lived Server-Sent Events response as the node writes it, whatever the items (a session's events, OpenAI
/// chunks, A2A updates). SseFormatter writes each frame into the response pipe without a flush
/// (<see cref="UnflushedPipeStream"/>), so items already at hand go out in few writes (a flush per item costs a
/// syscall and contends on the response pipe); the stream is flushed as soon as it has caught up, or when enough is
/// buffered. While no item comes, a comment line every keep-alive interval (<c>Sessions:SseKeepAlive</c>) keeps
/// proxies (Fly's closes a connection idle for 60 s) from closing it. The response ends quietly when the client
/// leaves or this node begins to drain; on a drain the stream's <c>farewell</c>, if any, is its last frame.
/// </summary>
public sealed class SseResponse(NodeDrain drain, IOptions<AgentSessionOptions> options, TimeProvider time)
{
    /// <summary>The data writer of frames whose data is text already (JSON made by the protocol's own types).</summary>
    public static void WriteText(SseItem<string> item, IBufferWriter<byte> data) => Encoding.UTF8.GetBytes(item.Data, data);

    /// <summary>Buffered frames go out at this size even while more items are at hand.</summary>
    private const int FlushThreshold = 32 * 1024;

    public async Task WriteAsync<T>(
        HttpContext context, Func<CancellationToken, IAsyncEnumerable<SseItem<T>>> items, Action<SseItem<T>, IBufferWriter<byte>> data,
        SseItem<T>? farewell = null)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(context.RequestAborted);

        using var ending = drain.Hold(context);
        var body = response.BodyWriter;
        try
        {
            await SseFormatter.WriteAsync(Paced(items(ending.Token), body, ending.Token), new UnflushedPipeStream(body), data, ending.Token);
            await body.FlushAsync(ending.Token); // every item up to the end was written
        }
        catch (OperationCanceledException) when (ending.Token.IsCancellationRequested)
        {
            if (farewell is { } last && drain.IsDraining && !context.RequestAborted.IsCancellationRequested)
            {
                await SseFormatter.WriteAsync(new[] { last }.ToAsyncEnumerable(), response.Body, data, context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
    }

    /// <summary>
    /// The next item, flushing once caught up; while none comes, a keep-alive comment each interval. SseFormatter has
    /// written the previous frame whole before it asks for the next, so a comment lands between frames.
    /// </summary>
    private async IAsyncEnumerable<SseItem<T>> Paced<T>(IAsyncEnumerable<SseItem<T>> items, PipeWriter body, [EnumeratorCancellation] CancellationToken aborted)
    {
        await using var next = items.GetAsyncEnumerator(aborted);
        while (await NextAsync(next, body, aborted)) yield return next.Current;
    }

    private async Task<bool> NextAsync<T>(IAsyncEnumerator<T> items, PipeWriter body, CancellationToken aborted)
    {
        var moved = items.MoveNextAsync();
        if (moved.IsCompleted && !(body.CanGetUnflushedBytes && body.UnflushedBytes >= FlushThreshold)) return await moved;
        var next = moved.AsTask();
        try
        {
            await body.FlushAsync(aborted);
            while (!next.IsCompleted)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                var keepAlive = Task.Delay(options.Value.SseKeepAlive, time, quiet.Token);
                if (await Task.WhenAny(next, keepAlive) == next)
                {
                    await quiet.CancelAsync();
                    break;
                }
                aborted.ThrowIfCancellationRequested();
                body.Write(": keep-alive\n\n"u8);
                await body.FlushAsync(aborted);
            }
            return await next;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested && !next.IsCompleted)
        {
            // The items watch the same token, so their step ends too; it must, before they are disposed (an async
            // iterator cannot be disposed in the middle of a step).
            try { await next; }
            catch (OperationCanceledException) { }
            throw;
        }
    }
}
