using System.Net;
using System.Text.RegularExpressions;

namespace AgentCluster.Fly.Api;

/// <summary>
/// Which failed calls may be sent again. A 429 was refused before any work, so every call may retry it.
/// A 408, a 5xx or a broken connection leaves the outcome unknown: only calls that converge when repeated
/// are retried then. Creating an app or machine, updating, restarting, signalling and acquiring a lease are
/// not: a create in particular may have happened, and the caller must look the machine up before creating again.
/// </summary>
internal static partial class FlyRetryPolicy
{
    public static bool ShouldRetry(HttpRequestMessage? request, HttpStatusCode? status, Exception? exception)
    {
        if (request is null) return false;
        if (status == HttpStatusCode.TooManyRequests) return true;

        var transient = exception is HttpRequestException or TimeoutException
            || status is HttpStatusCode.RequestTimeout || (int?)status >= 500;
        if (!transient) return false;

        // A /wait 408 is the answer "not yet", handled by the caller's wait loop.
        if (status == HttpStatusCode.RequestTimeout && IsWait(request)) return false;
        return IsReplayable(request);
    }

    internal static bool IsReplayable(HttpRequestMessage request)
    {
        var method = request.Method;
        if (method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Delete
            || method == HttpMethod.Put || method == HttpMethod.Patch)
            return true;
        if (method != HttpMethod.Post) return false;

        var path = request.RequestUri?.AbsolutePath ?? "";
        var action = ActionPattern().Match(path);
        if (!action.Success) return false; // POST /apps, POST …/machines, POST …/machines/{id}: create and update
        return action.Groups["action"].Value switch
        {
            "start" or "stop" or "suspend" or "cordon" or "uncordon" => true,
            "lease" => request.Headers.Contains(FlyHeaders.LeaseNonce), // refresh, not acquire
            "metadata" => true,
            _ => false, // restart, signal, exec
        };
    }

    private static bool IsWait(HttpRequestMessage request) =>
        request.RequestUri?.AbsolutePath.EndsWith("/wait", StringComparison.Ordinal) == true;

    [GeneratedRegex("/apps/[^/]+/machines/[^/]+/(?<action>[a-z_]+)(/.*)?$")]
    private static partial Regex ActionPattern();
}
