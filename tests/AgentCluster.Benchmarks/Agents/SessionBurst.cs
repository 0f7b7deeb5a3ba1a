using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// Clients that all post <c>POST /sessions</c> at the same moment, each then following its session's stream
/// (<c>GET /sessions/{id}/events</c>) to the first <c>agent.output</c>. A refused create (503) or a session that
/// never speaks is a figure of the burst, not a failure of the harness: every client stops by its deadline.
/// </summary>
public static class SessionBurst
{
    /// <param name="answerDeadline">How long a client waits for POST /sessions to answer.</param>
    /// <param name="outputDeadline">How long after the start of its POST a client waits for the first agent.output.</param>
    public static async Task<IReadOnlyList<BurstSample>> RunAsync(
        HttpClient node, int clients, string prompt, TimeSpan answerDeadline, TimeSpan outputDeadline, CancellationToken cancellationToken)
    {
        // Every client's connection is open before the burst: it measures the node, not loopback handshakes.
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            using var health = await node.GetAsync("/health", cancellationToken);
            health.EnsureSuccessStatusCode();
        }));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Enumerable.Range(0, clients)
            .Select(_ => Task.Run(() => OneAsync(node, go.Task, prompt, answerDeadline, outputDeadline, cancellationToken), cancellationToken))
            .ToList();
        go.SetResult();
        return await Task.WhenAll(burst);
    }

    private static async Task<BurstSample> OneAsync(
        HttpClient node, Task go, string prompt, TimeSpan answerDeadline, TimeSpan outputDeadline, CancellationToken cancellationToken)
    {
        await go;
        var begin = Stopwatch.GetTimestamp();
        double Since() => Stopwatch.GetElapsedTime(begin).TotalMilliseconds;

        int status;
        string? sessionId = null;
        using (var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            answer.CancelAfter(answerDeadline);
            try
            {
                using var response = await node.PostAsJsonAsync("/sessions", new JsonObject { ["prompt"] = prompt, ["runtime"] = "shell" }, answer.Token);
                var body = await response.Content.ReadAsStringAsync(answer.Token);
                status = (int)response.StatusCode;
                if (status == 201) sessionId = JsonNode.Parse(body)!["session_id"]!.GetValue<string>();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new BurstSample(null, Since(), null, null, $"no answer within {answerDeadline.TotalSeconds:0} s");
            }
            catch (HttpRequestException e)
            {
                return new BurstSample(null, Since(), null, null, $"POST /sessions: {e.Message}");
            }
        }
        var answered = Since();
        if (sessionId is null) return new BurstSample(status, answered, null, null, null);

        try
        {
            await using var stream = await SseStream.OpenSessionAsync(node, sessionId, cancellationToken);
            var left = outputDeadline - TimeSpan.FromMilliseconds(Since());
            await stream.WaitForAsync(EventTypes.AgentOutput, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken);
            return new BurstSample(status, answered, sessionId, Since(), null);
        }
        // No output by the deadline, or the stream ended first (the session failed): said, and counted as such.
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or HttpRequestException or IOException)
        {
            return new BurstSample(status, answered, sessionId, null, $"session {sessionId}: {e.Message}");
        }
    }
}

/// <summary>
/// One client of a burst: the status POST /sessions answered (null: none, see <see cref="Problem"/>), when, and
/// when the session's first agent.output arrived (null: not by the deadline); milliseconds from the start of its POST.
/// </summary>
public sealed record BurstSample(int? Status, double Answered, string? SessionId, double? FirstOutput, string? Problem);
