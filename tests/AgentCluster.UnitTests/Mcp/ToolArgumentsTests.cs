using System.Text.Json;
using AgentCluster.Silo.Mcp;

namespace AgentCluster.UnitTests.Mcp;

/// <summary>A tool call's arguments against its input schema: what is missing or mistyped is said by its name.</summary>
public sealed class ToolArgumentsTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {"type":"object","properties":{"session_id":{"type":"string"},"turn":{"type":["integer","null"]},"flag":{"type":"boolean"},"any":{}},
         "required":["session_id"]}
        """).RootElement;

    [Theory]
    [InlineData("""{"session_id":"s1"}""", null)]
    [InlineData("""{"session_id":"s1","turn":2,"flag":true,"any":[1],"unknown":"left to the SDK"}""", null)]
    [InlineData("""{"session_id":"s1","turn":null}""", null)]
    [InlineData("""{}""", "session_id is required.")]
    [InlineData("""{"session_id":null}""", "session_id is required.")]
    [InlineData("""{"session_id":"s1","turn":"first"}""", "turn must be a JSON integer.")]
    [InlineData("""{"session_id":"s1","turn":1.5}""", "turn must be a JSON integer.")]
    [InlineData("""{"session_id":7}""", "session_id must be a JSON string.")]
    [InlineData("""{"session_id":"s1","flag":"yes"}""", "flag must be a JSON boolean.")]
    public void Arguments_are_checked_against_the_schema(string arguments, string? problem) =>
        Assert.Equal(problem, ToolArguments.Problem(Schema, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments)));

    [Fact]
    public void No_arguments_at_all_miss_the_required_ones() =>
        Assert.Equal("session_id is required.", ToolArguments.Problem(Schema, null));
}
