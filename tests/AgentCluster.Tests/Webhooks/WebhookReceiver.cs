using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// tests/webhooks-receiver as a process: a Node receiver that verifies every delivery with the official
/// <c>standardwebhooks</c> npm package (installed with <c>npm ci</c>) and prints a JSON line per request.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ChildProcess process;

    private WebhookReceiver(ChildProcess process, int port) => (this.process, Port) = (process, port);

    public int Port { get; }
    public string Log => process.Log;

    /// <summary>Every request it got, in order: <c>{id, verified, type, session_id, seq, status, body}</c>.</summary>
    public IReadOnlyList<JsonObject> Requests =>
        Log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!.AsObject()).Where(o => o.ContainsKey("id")).ToList();

    public static async Task<WebhookReceiver> StartAsync(int port, string secret, int failFirst, int redirectFirst = 0, string? redirectTo = null)
    {
        var folder = await NpmFolder.InstallAsync("webhooks-receiver");
        var process = ChildProcess.Start("webhook-receiver", "node", ["receiver.mjs"], new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(), ["WEBHOOK_SECRET"] = secret, ["FAIL_FIRST"] = failFirst.ToString(),
            ["REDIRECT_FIRST"] = redirectFirst.ToString(), ["REDIRECT_TO"] = redirectTo ?? "",
        }, workingDirectory: folder);
        await process.WaitUntilAsync(() => Task.FromResult(process.Log.Contains("\"listening\"")), TimeSpan.FromSeconds(30), "listening");
        return new WebhookReceiver(process, port);
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
