using AgentCluster.Client;
using AgentCluster.Tests.Fakes;
using Microsoft.Playwright;

namespace AgentCluster.Tests.WebConsole;

/// <summary>
/// A node on its embedded default whose agents talk to a <see cref="FakeAnthropic"/>, and Debian's Chromium
/// (<c>/usr/bin/chromium</c>, which tests/run.sh installs) driven by Playwright's own driver from its NuGet package:
/// nothing is downloaded. Screenshots go to <see cref="Screenshots"/> (git-ignored), kept as the run's artifacts.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>artifacts/screenshots/ under the repository root.</summary>
    public static string Screenshots { get; } = RepositoryFiles.Path(Path.Combine("artifacts", "screenshots"));

    public FakeAnthropic Model { get; private set; } = null!;
    public NodeHost Node { get; private set; } = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (tests/run.sh installs it when missing)");
        Model = await FakeAnthropic.StartAsync();
        Node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = Model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = Model.Url.ToString().TrimEnd('/'),
        });
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        Assertions.SetDefaultExpectTimeout((float)Deadline.TotalMilliseconds);
        Directory.CreateDirectory(Screenshots);
    }

    /// <summary>
    /// A new tab, 1280 px wide, on a blank page of <paramref name="node"/> (this fixture's by default), recording
    /// every console error and page error; <see cref="ConsolePage.GotoAsync"/> opens the console.
    /// </summary>
    public async Task<ConsolePage> OpenAsync(NodeHost? node = null)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, BaseURL = (node ?? Node).Url });
        context.SetDefaultTimeout((float)Deadline.TotalMilliseconds);
        return new ConsolePage(context, await context.NewPageAsync());
    }

    /// <summary>The .NET client (AgentCluster.Client) of <paramref name="node"/> (this fixture's by default), for what the tests do beside the page.</summary>
    public AgentClusterClient Client(NodeHost? node = null, string? apiKey = null) =>
        AgentClusterClient.Create(new AgentClusterOptions { BaseAddress = new Uri((node ?? Node).Url), ApiKey = apiKey });

    public async Task DisposeAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        if (Node is not null) await Node.DisposeAsync();
        if (Model is not null) await Model.DisposeAsync();
    }
}
