using System.Diagnostics;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AgentCluster.UnitTests.Telemetry;

/// <summary>
/// The agent's turn and tool spans in process, exported to OpenTelemetry's in-memory exporter: a turn joins the trace
/// of its traceparent; a tool call is a span under its turn from tool_use to tool_result, an error when the result is.
/// </summary>
public sealed class ToolSpanTests
{
    private const string QueuedBy = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void A_tool_call_is_a_span_under_its_turn_from_its_use_to_its_result()
    {
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource(AgentTracing.SourceName).AddInMemoryExporter(exported).Build();

        Activity turn;
        using (turn = AgentTracing.StartTurn(new AgentTurn(3, "do it", QueuedBy), "anthropic")!)
        {
            using var tools = new ToolSpans(turn);
            tools.Used("toolu_1", "Bash");
            tools.Used("toolu_2", "Read");
            Assert.Same(turn, Activity.Current); // a tool span never becomes current: the runtime's calls stay under the turn
            tools.Answered("toolu_1", isError: true);
            tools.Answered("toolu_unknown", isError: false); // a result without its use is no span
        }

        var mine = exported.Where(a => a.TraceId == turn.TraceId).ToList();
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", turn.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", turn.ParentSpanId.ToHexString());
        Assert.Equal("3", turn.GetTagItem("turn")?.ToString());
        var bash = mine.Single(a => a.DisplayName == "agent.tool Bash");
        var read = mine.Single(a => a.DisplayName == "agent.tool Read");
        Assert.All([bash, read], tool => Assert.Equal(turn.SpanId, tool.ParentSpanId));
        Assert.Equal(ActivityStatusCode.Error, bash.Status);
        Assert.Equal("toolu_1", bash.GetTagItem("tool.call.id"));
        // The turn ended without the second call's result: its span ends with the turn, marked so.
        Assert.Equal(true, read.GetTagItem("tool.unanswered"));
        Assert.Equal(3, mine.Count);
    }

    [Fact]
    public void A_turn_queued_untraced_has_no_span_and_neither_have_its_tools()
    {
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder().AddSource(AgentTracing.SourceName).AddInMemoryExporter(exported).Build();

        // A root span would be a trace of its own, started by nobody's request: the agent makes none.
        Assert.Null(AgentTracing.StartTurn(new AgentTurn(1, "do it"), "shell"));
        Assert.Null(AgentTracing.StartTurn(new AgentTurn(2, "do it", "not-a-traceparent"), "shell"));
        using var tools = new ToolSpans(null);
        tools.Used("toolu_1", "Bash");
        tools.Answered("toolu_1", isError: false);
        Assert.DoesNotContain(exported, a => a.DisplayName.StartsWith("agent.tool", StringComparison.Ordinal));
    }
}
