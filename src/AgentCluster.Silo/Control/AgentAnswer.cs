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

    public void Dispose() => response.Dispose();
}
