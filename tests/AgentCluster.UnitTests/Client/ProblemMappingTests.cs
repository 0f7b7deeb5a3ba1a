using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentCluster.Client;

namespace AgentCluster.UnitTests.Client;

/// <summary>Every non-2xx answer becomes the exception for its status, saying in one line what the node said.</summary>
public sealed class ProblemMappingTests
{
    [Theory]
    [InlineData(400, typeof(InvalidRequestException))]
    [InlineData(413, typeof(InvalidRequestException))]
    [InlineData(415, typeof(InvalidRequestException))]
    [InlineData(422, typeof(InvalidRequestException))]
    [InlineData(401, typeof(UnauthorizedException))]
    [InlineData(403, typeof(UnauthorizedException))]
    [InlineData(404, typeof(SessionNotFoundException))]
    [InlineData(409, typeof(ConflictException))]
    [InlineData(429, typeof(RateLimitedException))]
    [InlineData(502, typeof(ServiceUnavailableException))]
    [InlineData(503, typeof(ServiceUnavailableException))]
    [InlineData(504, typeof(ServiceUnavailableException))]
    [InlineData(500, typeof(AgentClusterException))]
    [InlineData(410, typeof(AgentClusterException))]
    public async Task Each_status_is_its_own_exception_carrying_the_problem(int status, Type expected)
    {
        var e = await MapAsync(status, """{"type":"https://example.test/p","title":"Some title","status":0,"detail":"What happened."}""");

        Assert.Equal(expected, e.GetType());
        Assert.Equal(status, e.Status);
        Assert.Equal("Some title", e.Title);
        Assert.Equal("What happened.", e.Detail);
        Assert.Equal("https://example.test/p", e.Type);
        Assert.Equal("Some title: What happened.", e.Message);
    }

    [Fact]
    public async Task The_nodes_field_names_the_field_at_fault()
    {
        var e = await MapAsync(400, """{"title":"Invalid request","status":400,"detail":"limit must be between 1 and 100.","field":"limit"}""");

        var invalid = Assert.IsType<InvalidRequestException>(e);
        Assert.Equal("limit", invalid.Field);
        Assert.Equal(["limit must be between 1 and 100."], invalid.Errors["limit"]);
    }

    [Fact]
    public async Task ASP_NET_Cores_validation_errors_are_read_too()
    {
        var e = await MapAsync(400, """{"title":"One or more validation errors occurred.","status":400,"errors":{"prompt":["is required","is empty"]}}""");

        Assert.Equal(["is required", "is empty"], e.Errors["prompt"]);
        Assert.Equal("One or more validation errors occurred.", e.Message); // no detail: the title alone
    }

    [Fact]
    public async Task A_body_that_is_not_a_problem_still_gives_the_status_and_a_line_of_what_it_says()
    {
        var html = "<html>\n<body>\n<h1>502 Bad Gateway</h1>\n</body>\n</html>\n";

        var e = await MapAsync(502, html, "text/html");

        var unavailable = Assert.IsType<ServiceUnavailableException>(e);
        Assert.Equal(502, unavailable.Status);
        Assert.Equal("HTTP 502 Bad Gateway", unavailable.Title);
        Assert.Equal("HTTP 502 Bad Gateway: <html> <body> <h1>502 Bad Gateway</h1> </body> </html>", unavailable.Message);
        Assert.DoesNotContain('\n', unavailable.Message);
    }

    [Fact]
    public async Task A_long_text_body_is_cut_and_an_empty_one_leaves_the_status_alone()
    {
        var cut = await MapAsync(500, new string('x', 5000), "text/plain");
        var empty = await MapAsync(404, "", "text/plain");

        Assert.True(cut.Message.Length < 300, cut.Message);
        Assert.EndsWith("…", cut.Message);
        Assert.IsType<SessionNotFoundException>(empty);
        Assert.Equal("HTTP 404 Not Found", empty.Message);
    }

    [Fact]
    public async Task JSON_that_is_not_a_problem_is_read_as_text()
    {
        var e = await MapAsync(409, """{"error":"taken"}""");

        Assert.IsType<ConflictException>(e);
        Assert.Equal("""HTTP 409 Conflict: {"error":"taken"}""", e.Message);
    }

    [Fact]
    public async Task Rate_limited_says_when_to_retry()
    {
        using var response = Answer(429, """{"title":"Too many queued turns","status":429,"detail":"At most 10."}""");
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        var e = Assert.IsType<RateLimitedException>(await AgentClusterException.FromResponseAsync(response));

        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    private static async Task<AgentClusterException> MapAsync(int status, string body, string type = "application/problem+json")
    {
        using var response = Answer(status, body, type);
        return await AgentClusterException.FromResponseAsync(response);
    }

    private static HttpResponseMessage Answer(int status, string body, string type = "application/problem+json") =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, type) };
}
