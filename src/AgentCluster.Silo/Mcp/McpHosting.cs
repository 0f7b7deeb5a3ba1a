using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// The node's MCP server at <c>/mcp</c> (Streamable HTTP, the official C# SDK): sessions as tools and their transcripts
/// as resources, so another agent (Claude Code, an IDE) can hand work to the fleet. Behind the same API keys as
/// <c>/sessions</c>; every call acts for the key's owner (<see cref="McpCalls"/>).
/// </summary>
public static class McpHosting
{
    public const string Path = "/mcp";

    /// <summary>The node's JSON (snake_case results, as the REST API's), with the SDK's own types' contracts first.</summary>
    private static readonly JsonSerializerOptions Json = ProtocolJson.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(McpJsonUtilities.DefaultOptions.TypeInfoResolver, new DefaultJsonTypeInfoResolver()),
    });

    public static IServiceCollection AddMcpEndpoint(this IServiceCollection services)
    {
        services.AddSingleton<TurnWaiter>();
        services.AddSingleton<TranscriptReader>();
        services.AddMcpServer()
            // Stateless: no tool keeps anything per MCP connection (a session lives in its grain, wherever the cluster put
            // it), so any node behind a load balancer can answer any call; a stateful MCP session would pin a client to one
            // node and be lost with it. What stateless gives up (server-to-client requests, resource subscriptions) no tool uses.
            .WithHttpTransport(transport => transport.SessionMode = HttpServerSessionMode.Stateless)
            .WithRequestFilters(filters => filters.AddCallToolFilter(McpCalls.Tool).AddReadResourceFilter(McpCalls.Resource))
            .WithTools<SessionTools>(Json)
            .WithTools<MachineTools>(Json)
            .WithResources<TranscriptResource>()
            .WithListResourcesHandler(TranscriptResource.ListAsync);
        return services;
    }

    public static IEndpointConventionBuilder MapMcpEndpoint(this IEndpointRouteBuilder routes)
    {
        var limits = routes.ServiceProvider.GetRequiredService<IOptions<FrontDoorOptions>>().Value;
        return routes.MapMcp(Path)
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxRequestBodyBytes))
            .ExcludeFromDescription(); // JSON-RPC: MCP's own schema describes it, not the node's OpenAPI document
    }
}
