using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Security;

namespace AgentCluster.Tests.Cost;

/// <summary>max_machine_seconds, max_model_usd and the cost fields through a real node's API.</summary>
[Collection(KeyedNodeCollection.Name)]
public sealed class BudgetApiTests(KeyedNodeFixture node)
{
    [Fact]
    public async Task A_session_shows_its_budget_machine_seconds_and_cost()
    {
        var created = await node.A.PostAsJsonAsync("/sessions", new { prompt = "echo ready", max_machine_seconds = 3600, max_model_usd = 1.25 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();

        var shown = (await node.A.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.Equal(3600, shown["max_machine_seconds"]!.GetValue<long>());
        Assert.InRange(shown["machine_seconds"]!.GetValue<double>(), 0, 3600);
        Assert.InRange(shown["cost_usd"]!.GetValue<decimal>(), 0m, 1m);
        Assert.Equal((1.25m, 0m), (shown["max_model_usd"]!.GetValue<decimal>(), shown["model_cost_usd"]!.GetValue<decimal>()));
        Assert.False(shown.ContainsKey("model_usage")); // a shell session's machine calls no model
        Assert.Equal(HttpStatusCode.OK, (await node.A.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_session_without_a_budget_shows_none()
    {
        var id = await KeyedNodeFixture.StartIdleSessionAsync(node.A);
        var shown = (await node.A.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.False(shown.ContainsKey("max_machine_seconds"));
        Assert.True(shown.ContainsKey("machine_seconds") && shown.ContainsKey("cost_usd"));
        await node.A.DeleteAsync($"/sessions/{id}");
    }

    [Fact]
    public async Task A_bad_max_machine_seconds_is_a_400_naming_the_field()
    {
        foreach (var bad in new object[] { 0, -1, 2_592_001 })
        {
            var problem = await Problems.AssertAsync(
                await node.A.PostAsJsonAsync("/sessions", new { prompt = "x", max_machine_seconds = bad }), HttpStatusCode.BadRequest, "max_machine_seconds must be");
            Assert.Equal("max_machine_seconds", problem["field"]!.GetValue<string>());
        }
        foreach (var bad in new object[] { "an hour", 1.5, true })
            await Problems.AssertAsync(
                await node.A.PostAsJsonAsync("/sessions", new { prompt = "x", max_machine_seconds = bad }), HttpStatusCode.BadRequest, "$.max_machine_seconds");
    }

    [Fact]
    public async Task A_bad_max_model_usd_is_a_400_naming_the_field()
    {
        foreach (var bad in new object[] { 0, -1, 100_000.01 })
        {
            var problem = await Problems.AssertAsync(
                await node.A.PostAsJsonAsync("/sessions", new { prompt = "x", max_model_usd = bad }), HttpStatusCode.BadRequest, "max_model_usd must be");
            Assert.Equal("max_model_usd", problem["field"]!.GetValue<string>());
        }
        await Problems.AssertAsync(
            await node.A.PostAsJsonAsync("/sessions", new { prompt = "x", max_model_usd = "two dollars" }), HttpStatusCode.BadRequest, "$.max_model_usd");
    }
}
