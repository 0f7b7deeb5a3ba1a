using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Presets;

/// <summary>A rule a field breaks: the field (as clients spell it, e.g. <c>guest.memory_mb</c>) and a message that names it.</summary>
public sealed record FieldProblem(string Field, string Message)
{
    /// <summary>The 400 a request gets for it.</summary>
    public SessionException ToException() => SessionException.Invalid(Field, Message);
}
