using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AgentCluster.Tests.Agent;

public static class ControlProblems
{
    /// <summary>The answer is ProblemDetails with <paramref name="status"/>, its detail naming <paramref name="field"/> first.</summary>
    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString());
    }

    public static Task AssertBadPathAsync(HttpResponseMessage response) => AssertAsync(response, HttpStatusCode.BadRequest, "path");
}
