using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using AgentCluster.Abstractions.Control;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.Agent.Control;

/// <summary>
/// <c>POST /exec</c>: the request checked (400 naming the field), its cwd confined like any path, then run by
/// <see cref="ExecRunner"/>: answered with the <see cref="ExecResult"/>, or with <c>Accept: text/event-stream</c> streamed
/// as <c>exec.output</c> frames and one <c>exec.exit</c>. A caller that goes away cancels the run (the runner kills the tree).
/// </summary>
internal static class ExecEndpoint
{
    /// <summary>Output frames waiting for a slow reader: beyond them the runner waits, rather than the agent buffering without end.</summary>
    private const int PendingFrames = 64;

    public static async Task HandleAsync(HttpContext context, WorkspacePaths paths)
    {
        var spec = Spec(await ReadAsync(context.Request), paths);
        var streamed = AcceptsEventStream(context.Request);
        // The headers go now, before the command ends: a node takes an agent that accepts a call and then says nothing
        // for seconds for a wedged one (and runs the command through Fly's exec instead).
        context.Response.ContentType = streamed ? "text/event-stream" : "application/json";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(context.RequestAborted);
        if (!streamed)
        {
            var result = await ExecRunner.RunAsync(spec, output: null, context.RequestAborted);
            await JsonSerializer.SerializeAsync(context.Response.Body, result, ControlJson.Default.ExecResult, context.RequestAborted);
            return;
        }
        var frames = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(PendingFrames) { SingleReader = true, SingleWriter = true });
        var run = RunStreamedAsync(spec, frames.Writer, context.RequestAborted);
        await SseFormatter.WriteAsync(frames.Reader.ReadAllAsync(context.RequestAborted), context.Response.Body, context.RequestAborted);
        await run;
    }

    /// <summary>The request as the runner takes it.</summary>
    /// <exception cref="ControlRefusal">400 naming the field.</exception>
    public static ExecSpec Spec(ExecRequest request, WorkspacePaths paths)
    {
        if (request.Problem() is var (field, message)) throw ControlRefusal.BadRequest(field, message);
        return new ExecSpec(request.Command!.ToArgv(), Folder(request.Cwd, paths), request.Env, request.Stdin, request.Timeout,
            request.MaxOutputBytes ?? ControlProtocol.DefaultMaxOutputBytes);
    }

    private static string Folder(string? cwd, WorkspacePaths paths)
    {
        var folder = paths.Resolve(cwd, "cwd");
        return FileKinds.Of(WorkspacePaths.RealPath(folder.Full) ?? folder.Full) switch
        {
            FileKind.Directory => folder.Full,
            FileKind.Missing => throw ControlRefusal.BadRequest("cwd", $"'{folder.Relative}' does not exist in the workspace"),
            _ => throw ControlRefusal.BadRequest("cwd", $"'{folder.Relative}' is not a folder"),
        };
    }

    /// <exception cref="ControlRefusal">400: not JSON, or a field of the wrong shape (named).</exception>
    private static async Task<ExecRequest> ReadAsync(HttpRequest request)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, ControlJson.Default.ExecRequest, request.HttpContext.RequestAborted)
                   ?? throw ControlRefusal.BadRequest("body", "an exec request object, not null");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..].Split('.', '[')[0] : "body";
            var message = e.Message.StartsWith(field + ":", StringComparison.Ordinal) ? e.Message[(field.Length + 1)..].Trim() : e.Message;
            throw ControlRefusal.BadRequest(field, message);
        }
    }

    private static bool AcceptsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    private static async Task RunStreamedAsync(ExecSpec spec, ChannelWriter<SseItem<string>> frames, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ExecRunner.RunAsync(spec, output => frames.WriteAsync(Frame(output, ControlJson.Default.ExecOutputEvent, ControlProtocol.ExecOutputEventType), cancellationToken), cancellationToken);
            var exit = new ExecExitEvent(result.ExitCode, result.TimedOut, result.Truncated, result.DurationMs);
            await frames.WriteAsync(Frame(exit, ControlJson.Default.ExecExitEvent, ControlProtocol.ExecExitEventType), cancellationToken);
            frames.Complete();
        }
        catch (Exception e)
        {
            // The response has begun: the reader rethrows this, which ends the stream without its exec.exit frame.
            frames.Complete(e);
        }
    }

    private static SseItem<string> Frame<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string eventType) =>
        new(JsonSerializer.Serialize(value, type), eventType);
}
