using System.Text;

namespace AgentCluster.Benchmarks.Baselines;

/// <summary>
/// The physical limits of this machine for the work a node does, served by a bare Kestrel in its own process
/// (as a node is): a constant answer to a small JSON request, and SSE frames written from memory with the
/// node's framing and its flush per event. Started by the harness as <c>AgentCluster.Benchmarks baseline-server --urls …</c>.
/// </summary>
public static class BaselineServer
{
    public const string Command = "baseline-server";

    /// <summary>What /constant answers: the size and shape of an agent ack.</summary>
    public static readonly byte[] ConstantBody = """{"seq":0,"status":"idle"}"""u8.ToArray();

    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        app.MapGet("/constant", () => Results.Bytes(ConstantBody, "application/json"));
        app.MapPost("/constant", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null); // read the body as the node reads an agent's
            return Results.Bytes(ConstantBody, "application/json");
        });
        app.MapGet("/sse", async (int events, int size, HttpResponse response, CancellationToken aborted) =>
        {
            response.ContentType = "text/event-stream";
            var data = new string('x', Math.Max(0, size));
            for (var seq = 1; seq <= events && !aborted.IsCancellationRequested; seq++)
            {
                var frame = Encoding.UTF8.GetBytes($"id: {seq}\nevent: agent.output\ndata: {data}\n\n");
                await response.Body.WriteAsync(frame, aborted);
                await response.Body.FlushAsync(aborted);
            }
        });
        await app.RunAsync();
    }
}
