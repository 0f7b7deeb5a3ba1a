using System.Text.RegularExpressions;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.OpenApi;

/// <summary>
/// src/AgentCluster.Silo/AgentCluster.http cannot drift from the API: each of its requests is an operation of the
/// document the node serves, and each public operation has an example there.
/// </summary>
[Collection(PublicApiCollection.Name)]
public sealed partial class HttpFileTests(PublicApiFixture api)
{
    public const string HttpFile = "src/AgentCluster.Silo/AgentCluster.http";

    [Fact]
    public async Task Every_request_in_the_http_file_is_an_operation_of_the_document_and_every_operation_has_one()
    {
        var requests = (await File.ReadAllLinesAsync(RepositoryFiles.Path(HttpFile)))
            .Select(line => RequestLine().Match(line)).Where(m => m.Success)
            .Select(m => (Method: m.Groups["method"].Value, Path: m.Groups["path"].Value.Split('?')[0])).ToList();
        Assert.NotEmpty(requests);

        var operations = api.Operations();
        var covered = new HashSet<string>();
        foreach (var (method, path) in requests.Where(r => r.Path != PublicApiFixture.DocumentPath)) // the document itself is not in it
        {
            var operation = operations.SingleOrDefault(o => o.StartsWith(method + " ", StringComparison.Ordinal) && Matches(o[(method.Length + 1)..], path));
            Assert.True(operation is not null, $"{HttpFile}: {method} {path} is no operation of the OpenAPI document");
            covered.Add(operation);
        }
        Assert.True(operations.SetEquals(covered), $"operations without an example in {HttpFile}: {string.Join(", ", operations.Except(covered))}");
    }

    /// <summary>A path template (<c>/sessions/{id}</c>) matches a path segment for segment, a parameter any one segment.</summary>
    private static bool Matches(string template, string path)
    {
        var (t, p) = (template.Split('/'), path.Split('/'));
        return t.Length == p.Length && t.Zip(p).All(s => s.First.StartsWith('{') || s.First == s.Second);
    }

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE)\s+\{\{host\}\}(?<path>\S+)")]
    private static partial Regex RequestLine();
}
