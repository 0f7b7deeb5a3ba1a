using System.Net;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace AgentCluster.Silo.Control;

/// <summary>
/// The agent's answer relayed to the front-door caller as it comes: its status, the headers that describe the body
/// (type, length, range, validators) and the body itself, streamed. A file never sits whole in the node's memory.
/// The agent's errors are ProblemDetails already, and pass as they are.
/// </summary>
public sealed class AgentAnswer(HttpResponseMessage response) : IResult, IDisposable
{
    private static readonly string[] RelayedHeaders = ["ETag", "Accept-Ranges", "Last-Modified", "Location"];

    public async Task ExecuteAsync(HttpContext http)
    {
        using (response)
        {
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers)
                if (RelayedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)) http.Response.Headers[name] = values.ToArray();
            foreach (var (name, values) in response.Content.Headers)
                http.Response.Headers[name] = values.ToArray();
            await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    /// <summary>
    /// The agent's refusal (its ProblemDetails) as a <see cref="SessionException"/>, for a caller that is not an HTTP request
    /// (the MCP server's tools): a bad path or command is the caller's mistake, a missing file is missing.
    /// </summary>
    public async Task<SessionException> RefusalAsync(CancellationToken cancellationToken)
    {
        using (response)
        {
            ProblemDetails? problem = null;
            try { problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellationToken); }
            catch (JsonException) { } // not a ProblemDetails: the status says enough
            var message = problem?.Detail ?? problem?.Title ?? $"The agent answered {(int)response.StatusCode} {response.ReasonPhrase}.";
            return response.StatusCode switch
            {
                HttpStatusCode.BadRequest => new SessionException(SessionErrorKind.Invalid, message),
                HttpStatusCode.NotFound => new SessionException(SessionErrorKind.NotFound, message),
                _ => new SessionException(SessionErrorKind.MachineUnreachable, message),
            };
        }
    }

    public void Dispose() => response.Dispose();
}
