using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Health;
using AgentCluster.Silo.Hosting;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Fly;

/// <summary>Points the Fly client at the embedded emulator and makes sure the agents' app exists there.</summary>
/// <remarks>
/// The embedded default, composed at the host's edge: the one file that touches the emulator (the project's only
/// use of AgentCluster.FlyEmulator), started by one line of Program.cs. A production node never runs it (in a Fly
/// Machine it declines, and <see cref="FlyNode"/> requires FLY_API_TOKEN), so it only carries it, about 12 MB of the
/// image with the agent beside it. It stays in the one build the tests run, since dropping it would change what the
/// image does when run without a token; a build for production alone drops this file, that line and the reference.
/// </remarks>
internal sealed partial class EmbeddedFly(IFlyAppsApi apps, IOptions<FlyOptions> options, ClaudeCodeCliCheck cli, ILogger<EmbeddedFly> logger) : IHostedService
{
    public const string DefaultApp = "agentcluster-agents";

    /// <summary>
    /// Starts the emulator in this process and points the node at it, unless FLY_API_TOKEN is set (then the
    /// node drives real Fly Machines). Null when Fly is configured.
    /// </summary>
    public static async Task<EmbeddedFlyEmulator?> StartUnlessConfiguredAsync(WebApplicationBuilder builder)
    {
        // In a Fly Machine the node never stands in for Fly itself (FlyNode requires the token there).
        if (!string.IsNullOrEmpty(builder.Configuration["FLY_API_TOKEN"]) || FlyNode.Of(builder.Configuration) is not null) return null;
        var emulator = await EmbeddedFlyEmulator.StartAsync(args: ["--FlyEmulator:Region=" + (builder.Configuration["FLY_REGION"] ?? "iad")]);
        var settings = Settings(emulator);
        // No pool unless asked for: its agents would be local processes waiting for nobody.
        if (builder.Configuration["Pool:Size"] is null) settings["Pool:Size"] = "0";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddHostedService<EmbeddedFly>();
        // Agents run here, so the CLI their default runtime needs must be here too.
        builder.Services.AddSingleton<ClaudeCodeCliCheck>();
        builder.Services.AddHealthChecks().AddCheck<ClaudeCodeCliCheck>(ClaudeCodeCliCheck.Name, tags: [HealthHosting.ReadyTag]);
        return emulator;
    }

    public static Dictionary<string, string?> Settings(EmbeddedFlyEmulator emulator) => new()
    {
        ["FLY_API_URL"] = emulator.BaseUrl.ToString(),
        ["FLY_API_TOKEN"] = "embedded-" + Guid.NewGuid().ToString("N"),
        [FlyOptions.AgentAppVariable] = DefaultApp,
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var app in options.Value.Apps)
        {
            try
            {
                await apps.GetAppAsync(app, cancellationToken);
            }
            catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound)
            {
                await apps.CreateAppAsync(new CreateAppRequest { Name = app, OrgSlug = "personal" }, cancellationToken);
            }
        }
        LogEmbedded(options.Value.ApiUrl, string.Join(", ", options.Value.Apps));
        if (cli.Problem() is { } missing) LogNoClaudeCode(missing);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(3100, LogLevel.Information, "Embedded Fly Machines emulator at {Url}, apps {Apps}")]
    private partial void LogEmbedded(Uri url, string apps);

    [LoggerMessage(3101, LogLevel.Warning, "Claude Code CLI not found: {Problem}")]
    private partial void LogNoClaudeCode(string problem);
}
