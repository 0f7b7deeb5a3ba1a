using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Api;

/// <summary>
/// Writes a problem as JSON whatever the request accepts. A reader of an event stream (a browser's EventSource, a
/// client asking <c>Accept: text/event-stream</c>) accepts no JSON, and ASP.NET Core's own writer then writes
/// nothing: its 401 or 404 would reach the caller as an empty 500. Registered after that writer, so it writes only
/// what that one refuses, and as that one does (status, title, the node's own details).
/// </summary>
public sealed class AnyAcceptProblemWriter(IOptions<ProblemDetailsOptions> problems, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problems.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json"));
    }
}
