using System.Net;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Conformance;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Security;

namespace AgentCluster.Tests.OpenApi;

/// <summary>
/// A node with an API key, its OpenAPI document as it serves it (read without a key), and checks of real answers
/// against that document: the status must be one the operation lists, the body valid against the schema listed
/// for it (JSON or ProblemDetails, each by its own media type).
/// </summary>
public sealed class PublicApiFixture : IAsyncLifetime
{
    public const string DocumentPath = "/openapi/v1.json";

    public string Key { get; } = ApiKeys.New();
    public NodeHost Node { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public string Served { get; private set; } = "";
    public JsonObject Document { get; private set; } = null!;
    public OpenApiSchemas Schemas { get; private set; } = null!;
    private string? file;

    public async Task InitializeAsync()
    {
        Node = await NodeHost.StartAsync(new Dictionary<string, string> { ["Auth__ApiKeys__team-a"] = ApiKeys.Sha256Hex(Key) });
        (Client, Anonymous) = (Node.Client(Key), Node.Client());
        using var response = await Anonymous.GetAsync(DocumentPath);
        Served = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{DocumentPath} without a key: {(int)response.StatusCode} {Served}");
        Document = JsonNode.Parse(Served)!.AsObject();
        file = Path.Combine(Path.GetTempPath(), $"agentcluster-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, Served);
        Schemas = OpenApiSchemas.Load(file);
    }

    /// <summary>The documented operations as "METHOD /path/{template}".</summary>
    public IReadOnlySet<string> Operations() =>
        Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}")).ToHashSet();

    public JsonObject Operation(string method, string path) =>
        Document["paths"]?[path]?[method.ToLowerInvariant()]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"the document has no {method} {path}");

    /// <summary>Asserts the response is one the document lists for the operation, and returns the body it checked.</summary>
    public async Task<JsonNode?> AssertDocumentedAsync(string method, string path, HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString();
        var documented = Operation(method, path)["responses"]!.AsObject();
        Assert.True(documented.ContainsKey(status),
            $"{method} {path} answered {status}, which the document does not list ({string.Join(", ", documented.Select(r => r.Key))})");
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        var content = documented[status]!["content"]?.AsObject();
        Assert.True(content?.ContainsKey(mediaType) == true,
            $"{method} {path} {status} came as '{mediaType}'; the document lists {string.Join(", ", content?.Select(c => c.Key) ?? [])}");
        if (mediaType is not ("application/json" or "application/problem+json")) return null; // an event stream: it does not end

        var body = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(body);
        var errors = mediaType == "application/json"
            ? Schemas.ValidateResponse(path, method, (int)response.StatusCode, json)
            : Schemas.Validate(SchemaName(content![mediaType]!["schema"]!), json);
        Assert.True(errors.Count == 0, $"{method} {path} {status} does not match its documented schema:\n{string.Join("\n", errors)}\n{body}");
        return json;
    }

    /// <summary>The component a schema refers to, directly or as the one non-null choice of a nullable body (<c>oneOf</c>).</summary>
    public static string SchemaName(JsonNode schema) =>
        (schema["$ref"] ?? schema["oneOf"]?.AsArray().Select(s => s?["$ref"]).SingleOrDefault(r => r is not null))?.GetValue<string>().Split('/')[^1]
        ?? throw new Xunit.Sdk.XunitException($"expected a $ref schema, got {schema.ToJsonString()}");

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        Anonymous?.Dispose();
        if (Node is not null) await Node.DisposeAsync();
        if (file is not null) File.Delete(file);
    }
}

[CollectionDefinition(Name)]
public sealed class PublicApiCollection : ICollectionFixture<PublicApiFixture>
{
    public const string Name = "public-api-document";
}
