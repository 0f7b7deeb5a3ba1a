using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.Tests.Fakes;

/// <summary>One span as an OTLP exporter sent it: ids as lowercase hex, the parent empty for a root.</summary>
public sealed record CollectedSpan(
    string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, int StatusCode,
    IReadOnlyDictionary<string, string> Attributes)
{
    public bool IsRoot => ParentSpanId.Length == 0;
}

/// <summary>
/// An OpenTelemetry collector on 127.0.0.1 and a free port, speaking OTLP/HTTP with protobuf bodies: it keeps the
/// spans of <c>POST /v1/traces</c> (and every body, raw, to search for what must never be exported) and accepts
/// metrics and logs unread. The few fields of ExportTraceServiceRequest a test needs are decoded by hand. Its
/// <see cref="FakeHttpServer.Url"/> is what OTEL_EXPORTER_OTLP_ENDPOINT takes (with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf).
/// </summary>
public sealed class FakeOtlpCollector : FakeHttpServer
{
    private readonly Lock gate = new();
    private readonly List<CollectedSpan> spans = [];
    private readonly List<byte[]> bodies = [];

    public IReadOnlyList<CollectedSpan> Spans { get { lock (gate) return spans.ToList(); } }

    /// <summary>Whether any body the collector received holds <paramref name="text"/> (UTF-8), anywhere.</summary>
    public bool Received(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        lock (gate) return bodies.Any(b => b.AsSpan().IndexOf(needle) >= 0);
    }

    public static Task<FakeOtlpCollector> StartAsync() => StartAsync(new FakeOtlpCollector());

    protected override void Map(WebApplication app) => app.MapPost("/v1/{signal}", ReceiveAsync);

    private async Task<IResult> ReceiveAsync(string signal, HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var decoded = signal == "traces" ? DecodeTraces(body) : [];
        lock (gate)
        {
            bodies.Add(body);
            spans.AddRange(decoded);
        }
        // An empty Export*ServiceResponse: everything accepted.
        return Results.Bytes([], "application/x-protobuf");
    }

    // ExportTraceServiceRequest: resource_spans = 1. ResourceSpans: resource = 1, scope_spans = 2.
    // Resource: attributes = 1. ScopeSpans: spans = 2. Span: trace_id = 1, span_id = 2, parent_span_id = 4,
    // name = 5, kind = 6, attributes = 9, status = 15 (Status: code = 3).
    private static List<CollectedSpan> DecodeTraces(byte[] body)
    {
        var found = new List<CollectedSpan>();
        foreach (var (field, resourceSpans) in Fields(body))
        {
            if (field != 1) continue;
            var service = "";
            foreach (var (f, value) in Fields(resourceSpans.Bytes))
            {
                if (f == 1) service = Attributes(value.Bytes).GetValueOrDefault("service.name", "");
                if (f != 2) continue;
                foreach (var (g, span) in Fields(value.Bytes))
                    if (g == 2) found.Add(Span(service, span.Bytes));
            }
        }
        return found;
    }

    private static CollectedSpan Span(string service, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        var attributes = new Dictionary<string, string>();
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(value.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(value.Bytes); break;
                case 5: name = Encoding.UTF8.GetString(value.Bytes); break;
                case 6: kind = (int)value.Number; break;
                case 9: foreach (var (k, v) in Attributes([value])) attributes[k] = v; break;
                case 15: status = (int)Fields(value.Bytes).Where(s => s.Field == 3).Select(s => s.Value.Number).FirstOrDefault(); break;
            }
        }
        return new CollectedSpan(service, traceId, spanId, parent, name, kind, status, attributes);
    }

    /// <summary>A message's KeyValue attributes (field 1), string and integer values as text.</summary>
    private static Dictionary<string, string> Attributes(byte[] message) =>
        Attributes(Fields(message).Where(f => f.Field == 1).Select(f => f.Value));

    private static Dictionary<string, string> Attributes(IEnumerable<Wire> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in keyValues)
        {
            string? key = null, text = null;
            foreach (var (field, value) in Fields(keyValue.Bytes))
            {
                if (field == 1) key = Encoding.UTF8.GetString(value.Bytes);
                // AnyValue: string_value = 1, bool_value = 2, int_value = 3.
                if (field == 2)
                    foreach (var (kind, any) in Fields(value.Bytes))
                        text = kind switch { 1 => Encoding.UTF8.GetString(any.Bytes), 2 => (any.Number != 0).ToString(), 3 => any.Number.ToString(), _ => text };
            }
            if (key is not null) attributes[key] = text ?? "";
        }
        return attributes;
    }

    /// <summary>One field's value: a varint, or the bytes of a length-delimited field (fixed-width fields are skipped).</summary>
    private readonly record struct Wire(ulong Number, byte[] Bytes);

    private static List<(int Field, Wire Value)> Fields(byte[] message)
    {
        var fields = new List<(int, Wire)>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: fields.Add((field, new Wire(Varint(message, ref at), []))); break;
                case 1: at += 8; break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    fields.Add((field, new Wire(0, message[at..(at + length)])));
                    at += length;
                    break;
                case 5: at += 4; break;
                default: throw new InvalidDataException($"wire type {tag & 7} at {at}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
