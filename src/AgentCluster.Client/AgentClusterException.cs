namespace AgentCluster.Client;

/// <summary>
/// A non-2xx answer of the node, with its ProblemDetails: <see cref="Status"/>, <see cref="Title"/>, <see cref="Detail"/>,
/// and the field at fault (<see cref="Field"/>, <see cref="Errors"/>). The message is one line: "Title: Detail".
/// Built by <see cref="FromResponseAsync"/>, which picks the subclass by status.
/// </summary>
public class AgentClusterException : Exception
{
    public AgentClusterException(int status, string title, string? detail, string? type = null,
        IReadOnlyDictionary<string, string[]>? errors = null, Exception? inner = null)
        : base(detail is null ? title : $"{title}: {detail}", inner)
    {
        Status = status;
        Title = title;
        Detail = detail;
        Type = type;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>The HTTP status code.</summary>
    public int Status { get; }

    public string Title { get; }
    public string? Detail { get; }

    /// <summary>The problem's type URI, when the node sent one.</summary>
    public string? Type { get; }

    /// <summary>Field (as on the wire: <c>prompt</c>, <c>limit</c>) → what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The field at fault, when the node named one (the first of <see cref="Errors"/>).</summary>
    public string? Field => Errors.Keys.FirstOrDefault();

    /// <summary>The exception for a non-2xx answer, from its ProblemDetails body, or from its status when the body is not one.</summary>
    public static Task<AgentClusterException> FromResponseAsync(HttpResponseMessage response, CancellationToken ct = default) =>
        Problems.ReadAsync(response, ct);
}

/// <summary>The request was refused as it is: 400 (the field named), 413 (too large), 415, 422.</summary>
public sealed class InvalidRequestException(int status, string title, string? detail, string? type = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : AgentClusterException(status, title, detail, type, errors);

/// <summary>No API key or a wrong one (401), or not allowed (403).</summary>
public sealed class UnauthorizedException(int status, string title, string? detail, string? type = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : AgentClusterException(status, title, detail, type, errors);

/// <summary>404: no such session (or not the caller's), preset, workspace or file.</summary>
public sealed class SessionNotFoundException(int status, string title, string? detail, string? type = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : AgentClusterException(status, title, detail, type, errors);

/// <summary>409: the session is terminated, no turn is open, or another key uses that session id.</summary>
public sealed class ConflictException(int status, string title, string? detail, string? type = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : AgentClusterException(status, title, detail, type, errors);

/// <summary>429: too many queued turns; <see cref="RetryAfter"/> says when to try again, when the node said.</summary>
public sealed class RateLimitedException(int status, string title, string? detail, TimeSpan? retryAfter, string? type = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : AgentClusterException(status, title, detail, type, errors)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>502, 503, 504: the machine provider, the session's machine or the cluster is away for the moment; retry later.</summary>
public sealed class ServiceUnavailableException(int status, string title, string? detail, string? type = null, IReadOnlyDictionary<string, string[]>? errors = null)
    : AgentClusterException(status, title, detail, type, errors);
