using Microsoft.AspNetCore.Http;

namespace AgentCluster.Agent.Control;

/// <summary>
/// A control call refused: thrown wherever the reason is found (a path rule, a missing file, a bad body) and written
/// once, as ProblemDetails, by the control server. <see cref="Exception.Message"/> (the problem's detail) starts with
/// the field at fault: <c>path: …</c>, <c>cwd: …</c>, <c>command: …</c>.
/// </summary>
internal sealed class ControlRefusal(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public static ControlRefusal BadPath(string field, string why) => new(StatusCodes.Status400BadRequest, "Path refused", $"{field}: {why}");

    public static ControlRefusal BadRequest(string field, string why) => new(StatusCodes.Status400BadRequest, "Bad request", $"{field}: {why}");

    public static ControlRefusal NotFound(string field, string path) =>
        new(StatusCodes.Status404NotFound, "Not found", $"{field}: '{path}' does not exist in the workspace");

    public static ControlRefusal Conflict(string field, string why) => new(StatusCodes.Status409Conflict, "Conflict", $"{field}: {why}");
}
