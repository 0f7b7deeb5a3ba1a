using System.Security.Claims;
using AgentCluster.Abstractions.Control;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;

namespace AgentCluster.Silo.Control;

/// <summary><c>POST /sessions/{id}/exec</c>: a command in the session's machine, beside whatever turn runs.</summary>
public static class ExecApi
{
    public static RouteGroupBuilder MapSessionExec(this RouteGroupBuilder sessions)
    {
        sessions.MapPost("/{id}/exec", (string id, ExecRequest? body, string? via, HttpContext http, ClaimsPrincipal caller, MachineExec exec) =>
        {
            var request = body ?? throw SessionException.Invalid("body", "a JSON body is required: {\"command\": \"git status\"}.");
            if (request.Problem() is var (field, message)) throw SessionException.Invalid(field, message);
            var stream = http.Request.Headers.Accept.Any(accept => accept?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
            return exec.RunAsync(id, caller.Owner(), request, via, stream, http.RequestAborted);
        })
            .WithName("ExecInSession")
            .WithSummary("Run a command in the session's machine: its exit code and output, or (Accept: text/event-stream) its output as it comes")
            .WithDescription("command: a string (run by bash -lc) or an argv array; cwd relative to the workspace; timeout_s 1-3600 (default 60; the " +
                "whole process tree is killed when it passes); each output stream kept up to max_output_bytes (default 1 MiB; truncated says so). " +
                "Streamed: 'exec.output' frames {stream, text}, then 'exec.exit' {exit_code, timed_out, truncated, duration_ms}. Runs beside a " +
                "running turn; wakes a sleeping session; 409 for a terminated one. The agent runs it; when the agent does not answer, Fly's own " +
                "exec does (via: fly; ?via=fly asks for it, ?via=agent refuses the fallback). The session's log records session.exec " +
                "{command, exit_code, via}, never the env, stdin or output; the command never sees the session's token or the model key.")
            .Accepts<ExecRequest>("application/json")
            .Produces<ExecResult>()
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesSessionProblems()
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesMachineProviderProblems();
        return sessions;
    }
}
