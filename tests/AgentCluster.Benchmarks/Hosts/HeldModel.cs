using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>
/// A scripted Messages API on loopback, in the harness's process: every <c>POST /v1/messages</c> is answered with a
/// streamed message whose first text comes at once and whose end follows <see cref="Hold"/> later (a model still
/// generating), so that the time to the first token can be told from the time to the whole answer. Any key opens it.
/// </summary>
public sealed class HeldModel : IAsyncDisposable
{
    public const string ApiKey = "sk-ant-bench-scripted";

    /// <summary>How long the rest of an answer takes after its first text.</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication app;

    private HeldModel(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<HeldModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/v1/messages", AnswerAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HeldModel(app, new Uri(address));
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        await context.Request.Body.CopyToAsync(Stream.Null);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        var aborted = context.RequestAborted;
        async Task SendAsync(string type, string data)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: {type}\ndata: {data}\n\n"), aborted);
            await response.Body.FlushAsync(aborted);
        }

        await SendAsync("message_start", """{"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}""");
        await SendAsync("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        await SendAsync("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}""");
        await Task.Delay(Hold, aborted);
        await SendAsync("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", world."}}""");
        await SendAsync("content_block_stop", """{"type":"content_block_stop","index":0}""");
        await SendAsync("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}""");
        await SendAsync("message_stop", """{"type":"message_stop"}""");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
