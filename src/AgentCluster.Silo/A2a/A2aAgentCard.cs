using System.Reflection;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Presets;
using AgentCluster.Silo.OpenApi;
using AgentCluster.Silo.Presets;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// The node's agent card (<c>GET /.well-known/agent-card.json</c>), in A2A v1's shape: the JSON-RPC endpoint in both
/// versions the node speaks (<c>supportedInterfaces</c>, the first preferred), one skill per preset, streaming, and the
/// API key as an HTTP bearer scheme. It also carries v0.3's top-level <c>url</c>, <c>preferredTransport</c>,
/// <c>protocolVersion</c> and <c>security</c>, which v1 readers ignore, so that v0.3 clients find the endpoint too.
/// Public, like the OpenAPI document: it says how to call the node, not what is in it.
/// </summary>
public sealed class A2aAgentCard(PresetCatalog presets)
{
    public const string Path = "/.well-known/agent-card.json";
    public const string Endpoint = "/a2a";

    private static readonly string Version =
        (typeof(A2aAgentCard).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0").Split('+')[0];

    /// <param name="baseUrl">The node as the caller reached it (scheme, host, path base): the card's URLs are absolute.</param>
    public JsonObject For(string baseUrl)
    {
        var url = baseUrl.TrimEnd('/') + Endpoint;
        var scheme = PublicApiDocument.BearerScheme;
        return new JsonObject
        {
            ["name"] = "AgentCluster",
            ["description"] = "AI coding-agent sessions, each in its own machine. A message is a turn of a session: a task is a turn, " +
                "a context is a session (send without contextId to start one). metadata.preset (a skill's id) or metadata.runtime " +
                "chooses what a new context runs.",
            ["version"] = Version,
            ["supportedInterfaces"] = new JsonArray(Interface(url, "1.0"), Interface(url, "0.3")),
            ["capabilities"] = new JsonObject { ["streaming"] = true, ["pushNotifications"] = false },
            ["securitySchemes"] = new JsonObject
            {
                [scheme] = new JsonObject
                {
                    ["httpAuthSecurityScheme"] = new JsonObject
                    {
                        ["scheme"] = "Bearer",
                        ["description"] = "An API key of the node (Auth:ApiKeys). A node on loopback without keys needs none.",
                    },
                },
            },
            ["securityRequirements"] = new JsonArray(new JsonObject { ["schemes"] = new JsonObject { [scheme] = new JsonObject { ["list"] = new JsonArray() } } }),
            ["defaultInputModes"] = new JsonArray("text/plain"),
            ["defaultOutputModes"] = new JsonArray("text/plain"),
            ["skills"] = new JsonArray([.. presets.All.Select(Skill)]),
            // v0.3's names for the same things.
            ["url"] = url,
            ["preferredTransport"] = "JSONRPC",
            ["protocolVersion"] = "0.3.0",
            ["security"] = new JsonArray(new JsonObject { [scheme] = new JsonArray() }),
        };
    }

    private static JsonObject Interface(string url, string version) =>
        new() { ["url"] = url, ["protocolBinding"] = "JSONRPC", ["protocolVersion"] = version };

    private static JsonNode Skill(Preset preset) => new JsonObject
    {
        ["id"] = preset.Id,
        ["name"] = preset.Name ?? preset.Id,
        ["description"] = (preset.Description is { Length: > 0 } about ? about + " " : "") +
            $"A new context with metadata.preset \"{preset.Id}\" runs this preset{(preset.Runtime is { } runtime ? $" (runtime {runtime})" : "")}.",
        ["tags"] = new JsonArray([.. new[] { "preset", preset.Runtime }.OfType<string>().Select(t => JsonValue.Create(t))]),
    };
}
