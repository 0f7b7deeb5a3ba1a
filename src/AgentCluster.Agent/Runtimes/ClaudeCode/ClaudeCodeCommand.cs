using System.Diagnostics;
using System.Globalization;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// The CLI's command line for one turn, in headless streaming mode:
/// <c>claude -p --output-format stream-json --verbose --include-partial-messages [--resume ID] [--model M] [--append-system-prompt S]
/// [--allowedTools T…] [--disallowedTools T…] [--permission-mode P] [--max-turns N]</c>, the prompt on stdin
/// (no argv length limit), run in the workspace; settings silent on permissions get <see cref="MachineSandbox"/>'s tools.
/// </summary>
internal static class ClaudeCodeCommand
{
    /// <summary>
    /// Set for the CLI: no self-update, telemetry or error reports (DISABLE_*), and none of the traffic that is
    /// not the conversation itself (CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC): a machine talks to the model only.
    /// </summary>
    private static readonly KeyValuePair<string, string>[] Quiet =
    [
        new("DISABLE_AUTOUPDATER", "1"),
        new("DISABLE_TELEMETRY", "1"),
        new("DISABLE_ERROR_REPORTING", "1"),
        new("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
    ];

    /// <summary>
    /// The credentials the CLI reads, taken from the context (the session's: its model token and its model gateway's
    /// address, never a real key; else the agent's environment).
    /// </summary>
    private static readonly string[] Credentials = ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"];

    /// <param name="resume">The CLI session id to continue, or null to start a conversation.</param>
    public static ProcessStartInfo Create(string executable, RuntimeContext context, ClaudeCodeHome home, string? resume)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = context.Workspace,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Arguments(context.Settings, resume)) info.ArgumentList.Add(argument);

        var environment = info.Environment;
        foreach (var (name, value) in context.Credentials) environment[name] = value;
        foreach (var name in Credentials)
            if (context.Get(name) is { } value) environment[name] = value;
        foreach (var (name, value) in Quiet) environment[name] = value;
        environment["CLAUDE_CONFIG_DIR"] = home.ConfigDirectory;
        ChildEnvironment.Scrub(environment, modelClient: true);
        return info;
    }

    public static List<string> Arguments(AgentSettings settings, string? resume)
    {
        // Partial messages: the model's text as it streams (StreamJsonTurn's stream_event), not a block at a time.
        List<string> arguments = ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"];
        Add(arguments, "--resume", resume);
        Add(arguments, "--model", settings.Model);
        Add(arguments, "--append-system-prompt", settings.SystemPrompt);
        // Variadic options: one value per argument keeps a rule such as "Bash(git commit:*)" whole.
        AddList(arguments, "--allowedTools", MachineSandbox.AllowedToolsFor(settings));
        AddList(arguments, "--disallowedTools", settings.DisallowedTools);
        Add(arguments, "--permission-mode", settings.PermissionMode);
        Add(arguments, "--max-turns", settings.MaxTurns?.ToString(CultureInfo.InvariantCulture));
        return arguments;
    }

    private static void Add(List<string> arguments, string option, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        arguments.Add(option);
        arguments.Add(value);
    }

    private static void AddList(List<string> arguments, string option, IReadOnlyList<string>? values)
    {
        if (values is not { Count: > 0 }) return;
        arguments.Add(option);
        arguments.AddRange(values);
    }
}
