using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.OpenApi;

/// <summary>
/// The public API's OpenAPI document at <c>/openapi/v1.json</c>, readable without a key: sessions, presets,
/// workspaces and health. The agent protocol and the dashboard are left out (ExcludeFromDescription). OpenAPI
/// 3.0, which more tools read than 3.1. No <c>servers</c>: the document is the same from every node and address,
/// so the copy in the repository (<c>docs/openapi.v1.json</c>) can be compared with what a node serves.
/// </summary>
public static class PublicApiDocument
{
    public const string Name = "v1";
    public const string Path = "/openapi/{documentName}.json";

    /// <summary>The security scheme of an API key, <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public const string BearerScheme = "ApiKey";

    public static IServiceCollection AddPublicApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(Name, o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "AgentCluster",
                    Version = Name,
                    Description = "AI coding-agent sessions, each in its own Fly.io Machine. Errors are ProblemDetails " +
                        "(application/problem+json) naming the field or the cause.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key (Auth:ApiKeys). A node on loopback without keys needs none.",
                };
                return Task.CompletedTask;
            });
            // A secret is read as a plain JSON string (SecretTextConverter), not as the object its type would suggest.
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type != typeof(SecretText)) return Task.CompletedTask;
                schema.Type = JsonSchemaType.String;
                schema.Properties?.Clear();
                schema.Required?.Clear();
                schema.WriteOnly = true;
                schema.Description = "A secret: never stored in clear, logged or returned.";
                return Task.CompletedTask;
            });
            // The API leaves null properties out (ProtocolJson: WhenWritingNull), so a nullable one is never required,
            // even when it is a record's constructor parameter.
            o.AddSchemaTransformer((schema, _, _) =>
            {
                if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
                    foreach (var name in required.Where(n => properties.TryGetValue(n, out var property) && IsNullable(property)).ToList())
                        required.Remove(name);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var policies = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy);
                if (policies.Any(p => p is ApiKeyAuthentication.Policy or ApiKeyAuthentication.OperatorPolicy) ||
                    context.Description.ActionDescriptor.EndpointMetadata.OfType<OpenAi.OpenAiGuard>().Any()) // checks the keys itself
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                return Task.CompletedTask;
            });
        });

    private static bool IsNullable(IOpenApiSchema schema) =>
        schema.Type?.HasFlag(JsonSchemaType.Null) == true || schema.OneOf?.Any(IsNullable) == true || schema.AnyOf?.Any(IsNullable) == true;

    public static IEndpointConventionBuilder MapPublicApiDocument(this IEndpointRouteBuilder routes) =>
        routes.MapOpenApi(Path).AllowAnonymous();
}
