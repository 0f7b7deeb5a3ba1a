using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Api;
using AgentCluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using AgentCluster.Silo.Sessions;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Tests.OpenApi;

/// <summary>
/// The OpenAPI document a node serves says what its endpoints do: the same operations as the endpoints it maps,
/// the same request fields as the API accepts, and for real requests the statuses and bodies they answer with.
/// The copy in the repository is the one the node serves.
/// </summary>
[Collection(PublicApiCollection.Name)]
public sealed partial class OpenApiDocumentTests(PublicApiFixture api)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// What the document leaves out by design: the agents' protocol, the dashboard, the document itself, and the
    /// JSON-RPC protocols, which describe themselves (A2A by its agent card, MCP by tools/list).
    /// </summary>
    private static readonly string[] UndocumentedPrefixes = ["/agent/", "/dashboard", "/openapi/", "/a2a", "/.well-known/agent-card.json", "/mcp"];

    [Fact]
    public async Task Its_operations_are_exactly_the_public_endpoints_the_node_maps()
    {
        await using var node = await InProcessNode.StartAsync(Deadline);
        var endpoints = node.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (
                Operation: $"{m} {Template(e.RoutePattern.RawText ?? "")}",
                Excluded: e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)))
            .ToList();

        var excludedPublic = endpoints.Where(e => e.Excluded && !UndocumentedPrefixes.Any(p => e.Operation.Split(' ')[1].StartsWith(p, StringComparison.Ordinal)));
        Assert.Empty(excludedPublic);
        var documentedHere = endpoints.Where(e => !e.Excluded).Select(e => e.Operation).ToHashSet();
        Assert.Contains("GET /sessions/{id}/events", documentedHere); // the table was read, not empty
        Assert.Contains(endpoints, e => e.Excluded && e.Operation.StartsWith("POST /agent/", StringComparison.Ordinal));
        Assert.True(documentedHere.SetEquals(api.Operations()),
            $"mapped but not documented: {string.Join(", ", documentedHere.Except(api.Operations()))}; " +
            $"documented but not mapped: {string.Join(", ", api.Operations().Except(documentedHere))}");
    }

    [Fact]
    public async Task The_create_request_documents_exactly_the_fields_the_API_accepts()
    {
        var schema = RequestSchema("/sessions");
        var documented = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        var accepted = ApiJson.GetTypeInfo(typeof(CreateSessionRequest)).Properties.Select(p => p.Name).ToHashSet();
        Assert.True(documented.SetEquals(accepted), $"documented: {string.Join(", ", documented.Order())}; accepted: {string.Join(", ", accepted.Order())}");
        Assert.False(schema["additionalProperties"]?.GetValue<bool>() ?? true); // unknown fields are refused, and the document says so

        // The node agrees: none of the documented fields is refused as unknown (without a prompt nothing starts),
        // while a field it does not know is.
        foreach (var field in documented)
        {
            var problem = await PostAsync(new JsonObject { [field] = null });
            Assert.DoesNotContain("could not be mapped", problem);
        }
        Assert.Contains("could not be mapped", await PostAsync(new JsonObject { ["promt"] = "echo typo" }));
    }

    [Fact]
    public void The_message_request_documents_its_one_field()
    {
        var documented = RequestSchema("/sessions/{id}/messages")["properties"]!.AsObject().Select(p => p.Key);
        Assert.Equal(ApiJson.GetTypeInfo(typeof(SendMessageRequest)).Properties.Select(p => p.Name), documented);
    }

    [Fact]
    public void Public_routes_carry_the_bearer_scheme_and_health_and_the_document_do_not()
    {
        var scheme = api.Document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        foreach (var operation in api.Operations())
        {
            var (method, path) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            var security = api.Operation(method, path)["security"]?.AsArray();
            if (path.StartsWith("/health", StringComparison.Ordinal)) Assert.Null(security);
            else Assert.Equal("ApiKey", Assert.Single(Assert.Single(security!)!.AsObject()).Key);
            Assert.False(string.IsNullOrEmpty(api.Operation(method, path)["summary"]?.GetValue<string>()), $"{operation} has no summary");
            Assert.False(string.IsNullOrEmpty(api.Operation(method, path)["operationId"]?.GetValue<string>()), $"{operation} has no name");
        }
        Assert.Equal("text/event-stream", Assert.Single(api.Operation("GET", "/sessions/{id}/events")["responses"]!["200"]!["content"]!.AsObject()).Key);
    }

    [Fact]
    public async Task A_session_round_trip_answers_only_what_the_document_lists()
    {
        var id = "openapi-" + Guid.NewGuid().ToString("N")[..12];
        var body = new { session_id = id, prompt = "echo documented", metadata = new Dictionary<string, string> { ["suite"] = "openapi" } };
        var created = await Documented("POST", "/sessions", await api.Client.PostAsJsonAsync("/sessions", body));
        Assert.Equal(id, created!["session_id"]!.GetValue<string>());
        await Documented("POST", "/sessions", await api.Client.PostAsJsonAsync("/sessions", body), HttpStatusCode.OK); // idempotent

        using (var events = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sessions/{id}/events"), HttpCompletionOption.ResponseHeadersRead))
            await Documented("GET", "/sessions/{id}/events", events);
        await using (var stream = await SseStream.OpenAsync(api.Client, $"/sessions/{id}/events"))
            await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "idle", Deadline, "the first turn is done");

        await Documented("GET", "/sessions/{id}", await api.Client.GetAsync($"/sessions/{id}"));
        var list = await Documented("GET", "/sessions", await api.Client.GetAsync("/sessions?limit=5"));
        Assert.Contains(list!["sessions"]!.AsArray(), s => s!["session_id"]!.GetValue<string>() == id);
        await Documented("POST", "/sessions/{id}/interrupt", await api.Client.PostAsync($"/sessions/{id}/interrupt", null), HttpStatusCode.Conflict);
        await Documented("POST", "/sessions/{id}/messages", await api.Client.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "echo again" }), HttpStatusCode.Accepted);
        var deleted = await Documented("DELETE", "/sessions/{id}", await api.Client.DeleteAsync($"/sessions/{id}"));
        Assert.Equal("terminated", deleted!["status"]!.GetValue<string>());
        await Documented("POST", "/sessions/{id}/messages", await api.Client.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "too late" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Refusals_are_the_problems_the_document_lists()
    {
        await Documented("GET", "/sessions/{id}", await api.Client.GetAsync("/sessions/no-such-session"), HttpStatusCode.NotFound);
        await Documented("GET", "/sessions/{id}", await api.Client.GetAsync("/sessions/not%20an%20id"), HttpStatusCode.BadRequest);
        await Documented("GET", "/sessions", await api.Client.GetAsync("/sessions?limit=0"), HttpStatusCode.BadRequest);
        await Documented("GET", "/sessions", await api.Anonymous.GetAsync("/sessions"), HttpStatusCode.Unauthorized);
        await Documented("POST", "/sessions", await api.Client.PostAsJsonAsync("/sessions", new { promt = "echo typo" }), HttpStatusCode.BadRequest);
        await Documented("POST", "/sessions", await api.Client.PostAsync("/sessions", new StringContent("prompt=x", Encoding.UTF8, "text/plain")),
            HttpStatusCode.UnsupportedMediaType);
        var tooLarge = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        tooLarge.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await Documented("POST", "/sessions", await api.Client.PostAsync("/sessions", tooLarge), HttpStatusCode.RequestEntityTooLarge);
        await Documented("POST", "/sessions/{id}/messages", await api.Client.PostAsJsonAsync("/sessions/no-such-session/messages", new { content = "x" }),
            HttpStatusCode.NotFound);
        await Documented("GET", "/presets", await api.Client.GetAsync("/presets"), HttpStatusCode.OK);
        await Documented("GET", "/presets/{id}", await api.Client.GetAsync("/presets/no-such-preset"), HttpStatusCode.NotFound);
        await Documented("GET", "/workspaces", await api.Client.GetAsync("/workspaces"), HttpStatusCode.OK);
        await Documented("GET", "/workspaces/{name}", await api.Client.GetAsync("/workspaces/no_such_workspace"), HttpStatusCode.NotFound);
        await Documented("DELETE", "/workspaces/{name}", await api.Client.DeleteAsync("/workspaces/Not-A-Name!"), HttpStatusCode.BadRequest);
        await Documented("GET", "/health", await api.Anonymous.GetAsync("/health"), HttpStatusCode.OK);
        await Documented("GET", "/health/ready", await api.Anonymous.GetAsync("/health/ready"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_document_in_the_repository_is_the_one_the_node_serves()
    {
        var file = RepositoryFiles.Path(CommittedDocument);
        var committed = File.Exists(file) ? await File.ReadAllTextAsync(file) : "(missing)";
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(api.Served), File.Exists(file) ? JsonNode.Parse(committed) : null),
            $"{CommittedDocument} is not what the node serves: the public API changed. Regenerate it from a node built from this tree: " +
            $"dotnet run --project src/AgentCluster.Silo & curl -s 127.0.0.1:8080/openapi/v1.json > {CommittedDocument} (and review the diff).");
    }

    public const string CommittedDocument = "docs/openapi.v1.json";

    /// <summary>The JSON options of the node's HTTP API (ProtocolJson), with the reflection resolver, to read their contracts.</summary>
    private static readonly JsonSerializerOptions ApiJson = ProtocolJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() });

    private async Task<JsonNode?> Documented(string method, string path, HttpResponseMessage response, HttpStatusCode? expected = null)
    {
        using (response)
        {
            // The body is read only when it is wrong: an event stream's never ends.
            if (expected is { } status ? response.StatusCode != status : !response.IsSuccessStatusCode)
                Assert.Fail($"{method} {path}: expected {(expected is null ? "success" : (int)expected)}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return await api.AssertDocumentedAsync(method, path, response);
        }
    }

    private JsonObject RequestSchema(string path)
    {
        var schema = api.Operation("POST", path)["requestBody"]!["content"]!["application/json"]!["schema"]!;
        return api.Document["components"]!["schemas"]![PublicApiFixture.SchemaName(schema)]!.AsObject();
    }

    private async Task<string> PostAsync(JsonObject body)
    {
        using var response = await api.Client.PostAsync("/sessions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body.ToJsonString()}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>A route pattern as OpenAPI writes its path: no constraints, no catch-all stars, no trailing slash.</summary>
    private static string Template(string pattern)
    {
        var path = RouteParameter().Replace("/" + pattern.TrimStart('/'), "{$1}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(@"\{\**([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();
}
