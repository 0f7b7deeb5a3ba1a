using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Client;

/// <summary>
/// The node as a script of answers, one per request in order, recording each request's path and Last-Event-ID:
/// event streams that end cleanly or are cut (the body fails with an IOException, as a reset connection does),
/// problems, and failures to connect.
/// </summary>
internal sealed class ScriptedNode(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
{
    private int next;

    public List<(string Path, string? LastEventId)> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add((request.RequestUri!.PathAndQuery, request.Headers.TryGetValues("Last-Event-ID", out var ids) ? ids.Single() : null));
            if (next >= answers.Length) throw new InvalidOperationException($"request {next + 1} ({request.RequestUri}) is not in the script");
            return Task.FromResult(answers[next++](request));
        }
    }

    public int Count
    {
        get { lock (Requests) return Requests.Count; }
    }

    /// <summary>An SSE frame of one event, as the node writes it.</summary>
    public static string Frame(long seq, string type = "agent.output", string payload = """{"stream":"stdout","text":"x"}""") =>
        $"id: {seq}\nevent: {type}\ndata: {{\"seq\":{seq},\"type\":\"{type}\",\"turn\":1,\"at\":\"2026-01-01T00:00:00Z\",\"payload\":{payload}}}\n\n";

    public static string Terminated(long seq) => Frame(seq, "session.status", """{"status":"terminated","reason":"deleted"}""");

    /// <summary>A stream of <paramref name="text"/> that then ends cleanly, or (<paramref name="cut"/>) fails as a reset connection.</summary>
    public static Func<HttpRequestMessage, HttpResponseMessage> Stream(string text, bool cut = false) => _ =>
        new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new CutStream(Encoding.UTF8.GetBytes(text), cut)) { Headers = { { "Content-Type", "text/event-stream" } } },
        };

    public static Func<HttpRequestMessage, HttpResponseMessage> Problem(int status, string title = "Cluster unavailable") => _ =>
        new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent($$"""{"title":"{{title}}","status":{{status}},"detail":"Try again."}""", Encoding.UTF8, "application/problem+json"),
        };

    public static Func<HttpRequestMessage, HttpResponseMessage> JsonAnswer(string json) => _ =>
        new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static Func<HttpRequestMessage, HttpResponseMessage> Refused() => _ => throw new HttpRequestException("Connection refused");

    /// <summary>Bytes, then the end, or an IOException where a cut connection would give one.</summary>
    private sealed class CutStream(byte[] data, bool cut) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => Check(base.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Check(base.Read(buffer));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        private int Check(int read) => read == 0 && cut ? throw new IOException("Connection reset by peer") : read;
    }
}

/// <summary>A FakeTimeProvider that records every wait asked of it (the client's backoff), so a test can see it and move past it.</summary>
internal sealed class RecordingTime : FakeTimeProvider
{
    private readonly List<TimeSpan> waits = [];

    public IReadOnlyList<TimeSpan> Waits
    {
        get { lock (waits) return waits.ToList(); }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (waits) waits.Add(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
