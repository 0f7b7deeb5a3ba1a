using System.CommandLine;
using AgentCluster.Cli.Output;
using AgentCluster.Client;

namespace AgentCluster.Cli;

/// <summary>One command's run: its client of the node, how it prints, and the Ctrl-C it listens to.</summary>
internal sealed class CliContext(AgentClusterClient client, Uri node, bool json, Screen screen, JsonOut jsonOut, TextWriter stderr, CtrlC ctrlC)
{
    public AgentClusterClient Client { get; } = client;

    /// <summary>The node's address, for messages.</summary>
    public Uri Node { get; } = node;

    /// <summary>Whether to print JSON (<c>--json</c>) rather than text for a person.</summary>
    public bool Json { get; } = json;

    public Screen Screen { get; } = screen;

    public JsonOut JsonOut { get; } = jsonOut;

    public TextWriter Stderr { get; } = stderr;

    public CtrlC CtrlC { get; } = ctrlC;

    /// <summary>Cancelled by a Ctrl-C that no command has taken for itself.</summary>
    public CancellationToken Cancel => CtrlC.Token;

    /// <summary>Prints <paramref name="value"/> as JSON, or for a person by <paramref name="human"/>.</summary>
    public void Show<T>(T value, Action<T> human)
    {
        if (Json) JsonOut.Document(value);
        else human(value);
    }

    /// <summary>A note for a person (what happens next, how to re-attach): stderr, so that stdout stays the output alone.</summary>
    public void Note(string text) => Stderr.WriteLine(text);

    public static CliContext Create(ParseResult parsed, CliOptions options, CtrlC ctrlC)
    {
        var settings = AgentClusterClient.OptionsFromEnvironment();
        if (parsed.GetValue(options.Url) is { } url)
            settings.BaseAddress = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new UsageException($"--url '{url}' is not an http(s) URL (http://host:port)");
        if (parsed.GetValue(options.ApiKey) is { } key) settings.ApiKey = key;
        var stdout = Console.Out;
        return new CliContext(AgentClusterClient.Create(settings), settings.BaseAddress, parsed.GetValue(options.Json),
            new Screen(stdout, terminal: !Console.IsOutputRedirected), new JsonOut(stdout), Console.Error, ctrlC);
    }
}
