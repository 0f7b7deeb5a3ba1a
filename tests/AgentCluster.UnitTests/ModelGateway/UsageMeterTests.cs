using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.ModelGateway;
using AgentCluster.Silo.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.UnitTests.ModelGateway;

/// <summary>
/// The gateway's meter reads a response's usage from the bytes as they pass, however the network cuts them; the
/// price table names a model's family for the token metric, so that no caller's model name makes a series of its own.
/// </summary>
public sealed class UsageMeterTests
{
    private const string Stream =
        "event: message_start\r\n" +
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"usage\":{\"input_tokens\":120,\"cache_creation_input_tokens\":30,\"cache_read_input_tokens\":400,\"output_tokens\":1}}}\r\n\r\n" +
        "event: content_block_delta\n" +
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\\\"usage\\\":{\\\"output_tokens\\\":999}\"}}\n\n" +
        "event: message_delta\n" +
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":57}}\n\n" +
        "event: message_stop\n" +
        "data: {\"type\":\"message_stop\"}\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void A_stream_cut_anywhere_reports_its_start_and_its_final_delta(int chunk)
    {
        var meter = UsageMeter.For(new MediaTypeHeaderValue("text/event-stream"))!;
        var bytes = Encoding.UTF8.GetBytes(Stream);
        for (var at = 0; at < bytes.Length; at += chunk) meter.Observe(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
        meter.Complete();

        Assert.Equal("claude-sonnet-4-5-20250929", meter.Model);
        // message_delta's output count is the cumulative one; a text that looks like usage is only text.
        Assert.Equal(new TokenUsage(120, 57, 30, 400), meter.Usage);
    }

    [Fact]
    public void A_line_too_long_to_be_usage_is_skipped_without_being_held()
    {
        var meter = UsageMeter.For(new MediaTypeHeaderValue("text/event-stream"))!;
        meter.Observe(Encoding.UTF8.GetBytes("event: message_delta\ndata: {\"usage\":{\"output_tokens\":1}" + new string(' ', 200_000) + "}\n\n"));
        meter.Observe(Encoding.UTF8.GetBytes("event: message_delta\ndata: {\"usage\":{\"output_tokens\":2}}\n\n"));

        Assert.Equal(new TokenUsage(0, 2), meter.Usage);
    }

    [Fact]
    public void A_json_message_reports_its_usage_and_an_error_or_another_type_reports_none()
    {
        var meter = UsageMeter.For(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" })!;
        var body = Encoding.UTF8.GetBytes("""{"id":"msg_1","type":"message","model":"claude-haiku-4-5","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":9,"output_tokens":3}}""");
        meter.Observe(body.AsSpan(0, 10));
        meter.Observe(body.AsSpan(10));
        meter.Complete();
        Assert.Equal(("claude-haiku-4-5", new TokenUsage(9, 3)), (meter.Model, meter.Usage));

        var cut = UsageMeter.For(new MediaTypeHeaderValue("application/json"))!;
        cut.Observe(body.AsSpan(0, 40));
        cut.Complete();
        Assert.Null(cut.Usage);
        Assert.Null(UsageMeter.For(new MediaTypeHeaderValue("text/plain")));
    }

    [Fact]
    public void Tokens_are_counted_by_model_family_and_type_and_an_unknown_model_counts_as_other()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricRecorder(meters);
        var metrics = new SessionMetrics(meters);

        metrics.ModelTokens(ModelPrices.Family("claude-sonnet-4-5-20250929"), new TokenUsage(100, 20, 0, 400));
        metrics.ModelTokens(ModelPrices.Family("my-own-model-" + Guid.NewGuid()), new TokenUsage(5, 1));

        Assert.Equal(100, recorder.Sum("agentcluster.model.tokens", ("model", "claude-sonnet-4-5"), ("token.type", "input")));
        Assert.Equal(20, recorder.Sum("agentcluster.model.tokens", ("model", "claude-sonnet-4-5"), ("token.type", "output")));
        Assert.Equal(400, recorder.Sum("agentcluster.model.tokens", ("model", "claude-sonnet-4-5"), ("token.type", "cache_read")));
        Assert.Empty(recorder.Of("agentcluster.model.tokens", ("token.type", "cache_creation"))); // nothing to count, nothing counted
        Assert.Equal(6, recorder.Sum("agentcluster.model.tokens", ("model", "other")));
    }
}
