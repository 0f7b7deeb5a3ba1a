using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>Checks an error answer the way a client reads it: the status, and a ProblemDetails that says why.</summary>
public static class Problems
{
    public static async Task<JsonObject> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string mentions)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.Contains(mentions, problem["detail"]!.GetValue<string>());
        return problem;
    }
}
