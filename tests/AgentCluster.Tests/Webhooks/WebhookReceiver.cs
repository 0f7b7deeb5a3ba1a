using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// tests/webhooks-receiver as a process: a Node receiver that verifies every delivery with the official
/// <c>standardwebhooks</c> npm package (installed with <c>npm ci</c>) and prints a JSON line per request.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly SemaphoreSlim Install = new(1, 1);
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
        var folder = RepositoryFiles.Path("tests/webhooks-receiver");
        await InstallAsync(folder);
        var process = ChildProcess.Start("webhook-receiver", "node", ["receiver.mjs"], new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(), ["WEBHOOK_SECRET"] = secret, ["FAIL_FIRST"] = failFirst.ToString(),
            ["REDIRECT_FIRST"] = redirectFirst.ToString(), ["REDIRECT_TO"] = redirectTo ?? "",
        }, workingDirectory: folder);
        await process.WaitUntilAsync(() => Task.FromResult(process.Log.Contains("\"listening\"")), TimeSpan.FromSeconds(30), "listening");
        return new WebhookReceiver(process, port);
    }

    /// <summary><c>npm ci</c> once per test run (the lock file pins the package).</summary>
    private static async Task InstallAsync(string folder)
    {
        await Install.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(folder, "node_modules", "standardwebhooks", "package.json"))) return;
            await using var npm = ChildProcess.Start("npm-ci", "npm", ["ci", "--no-audit", "--no-fund"], workingDirectory: folder);
            if (await npm.WaitForExitAsync(TimeSpan.FromMinutes(3)) != 0) throw new InvalidOperationException($"npm ci failed:\n{npm.Log}");
        }
        finally
        {
            Install.Release();
        }
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
