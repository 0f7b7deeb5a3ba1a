using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AgentCluster.Tests.WebConsole;

/// <summary>
/// One browser tab on the console, with what it logged: every console error or warning and every uncaught error,
/// so a test can assert that a page works without a single one (a CSP refusal, a failed request, a script error).
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private static readonly int[] Widths = [1280, 360];
    private readonly IBrowserContext context;
    private readonly List<string> problems = [];

    public ConsolePage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") lock (problems) problems.Add($"console {message.Type}: {message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => { lock (problems) problems.Add($"page error: {error}"); };
    }

    public IPage Page { get; }

    /// <summary>Opens the console at <paramref name="route"/> (#/, #/new, #/sessions/{id}).</summary>
    public Task GotoAsync(string route = "#/") => Page.GotoAsync($"/ui/{route}");

    public IReadOnlyList<string> Problems { get { lock (problems) return problems.ToList(); } }

    /// <summary>No console error or warning and no uncaught error so far.</summary>
    public void AssertNoProblems() => Assert.True(Problems.Count == 0, string.Join("\n", Problems));

    /// <summary>
    /// axe-core's check of the page as it is: no serious or critical violation (labels, contrast, names, landmarks,
    /// keyboard-reachable controls).
    /// </summary>
    public async Task AssertAccessibleAsync(string what)
    {
        var result = await Page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{what}: " + string.Join("\n", bad.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    /// <summary>
    /// The page at 1280 px and at 360 px wide, whole, as artifacts/screenshots/{name}-{width}.png, and back at 1280 px;
    /// at each width nothing may stick out sideways.
    /// </summary>
    public async Task<IReadOnlyList<string>> ScreenshotAsync(string name)
    {
        var files = new List<string>();
        foreach (var width in Widths)
        {
            await Page.SetViewportSizeAsync(width, 900);
            Assert.True(await FitsWidthAsync(), $"{name} scrolls sideways at {width} px");
            var file = Path.Combine(ConsoleFixture.Screenshots, $"{name}-{width}.png");
            await Page.ScreenshotAsync(new() { Path = file, FullPage = true });
            files.Add(file);
        }
        await Page.SetViewportSizeAsync(1280, 900);
        return files;
    }

    /// <summary>Whether the page's content fits its width (nothing to scroll sideways), as it must at 360 px.</summary>
    private Task<bool> FitsWidthAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth");

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
