using System.Security.Claims;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// What every MCP call does around its tool or resource: acts for the API key's owner (<see cref="SessionCaller"/>, so the
/// grains answer as the front door does: another owner's session is a missing one), and turns a
/// <see cref="SessionException"/> (an unknown or terminated session, bad input) into the protocol's error with its message:
/// a tool's <c>isError</c> result, a resource's JSON-RPC error. Anything else is the SDK's generic error, no stack trace.
/// </summary>
public static class McpCalls
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Tool(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        ActingForOwner<CallToolRequestParams, CallToolResult>(async (context, cancellationToken) =>
        {
            // The SDK's own answer to a missing or mistyped argument is a bare "An error occurred": say which one.
            if (context.MatchedPrimitive is McpServerTool tool && ToolArguments.Problem(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } problem)
                return Refused(problem);
            try
            {
                return await next(context, cancellationToken);
            }
            catch (JsonException e)
            {
                return Refused($"An argument is not of its type: {e.Message}");
            }
        }, e => Refused(Message(e)));

    public static McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> Resource(McpRequestHandler<ReadResourceRequestParams, ReadResourceResult> next) =>
        ActingForOwner<ReadResourceRequestParams, ReadResourceResult>(next, e =>
            throw new McpProtocolException(Message(e), e.Kind == SessionErrorKind.NotFound ? McpErrorCode.ResourceNotFound : McpErrorCode.InvalidParams));

    private static McpRequestHandler<TParams, TResult> ActingForOwner<TParams, TResult>(McpRequestHandler<TParams, TResult> next, Func<SessionException, TResult> refused) =>
        async (context, cancellationToken) =>
        {
            using var actingFor = SessionCaller.ActAs(Owner(context.User));
            try
            {
                return await next(context, cancellationToken);
            }
            catch (SessionException e)
            {
                return refused(e);
            }
        };

    private static CallToolResult Refused(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    /// <summary>The owner of the call: the endpoint requires the API key policy, so the SDK hands on an authenticated principal.</summary>
    public static string Owner(ClaimsPrincipal? caller) =>
        (caller ?? throw new InvalidOperationException("An MCP call came without the HTTP request's user.")).Owner();

    /// <summary>The exception's message, with the argument it names when that is not already said.</summary>
    private static string Message(SessionException e) =>
        e.Field is { } field && !e.Message.Contains(field, StringComparison.Ordinal) ? $"{field}: {e.Message}" : e.Message;
}
