using System.Buffers;
using System.Net.ServerSentEvents;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace AgentCluster.Silo.Api;

/// <summary>
/// An endpoint's answer as a long-lived SSE stream written by <see cref="SseResponse"/> (keep-alives, pacing, drain),
/// for a handler that answers either JSON or a stream; it describes itself to OpenAPI as <c>text/event-stream</c>.
/// </summary>
public sealed class SseResult<T>(
    SseResponse sse, Func<CancellationToken, IAsyncEnumerable<SseItem<T>>> items, Action<SseItem<T>, IBufferWriter<byte>> data, SseItem<T>? farewell = null)
    : IResult, IEndpointMetadataProvider
{
    public Task ExecuteAsync(HttpContext httpContext) => sse.WriteAsync(httpContext, items, data, farewell);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(SseItem<T>), ["text/event-stream"]));
}
