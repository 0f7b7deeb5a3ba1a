using System.Text.RegularExpressions;
using AgentCluster.Tests.Fakes;

namespace AgentCluster.Tests.Examples;

/// <summary>
/// The model of the coding-agent example (docs/agents.md), played on a <see cref="FakeAnthropic"/> with the tool calls a
/// real model makes for it: the first prompt writes primes.py (Write, or Bash when the session offers no Write),
/// runs it (Bash <c>python3 primes.py</c>) and counts the primes with a Bash command of several parts
/// (<c>printf … &gt; count.py &amp;&amp; python3 count.py</c>); the follow-up reads primes.py, edits it (Edit, else
/// Bash sed) and runs it with a limit; a third prompt is answered slowly, to be interrupted. Each turn's last reply
/// says what the tool results showed, as a model does, so a refused call shows in the final text too.
/// </summary>
internal sealed partial class PrimesModel
{
    public const string Prompt = "Write primes.py that prints the primes below 50, run it, and tell me the output.";
    public const string FollowUp = "Now make it take the limit as an argument.";
    public const string Slow = "Now explain how it works, in detail.";
    public const string PrimesBelow50 = "2 3 5 7 11 13 17 19 23 29 31 37 41 43 47";
    public const string PrimesBelow20 = "2 3 5 7 11 13 17 19";

    public const string Script = """
        def primes(limit):
            return [n for n in range(2, limit) if all(n % d for d in range(2, int(n ** 0.5) + 1))]


        if __name__ == "__main__":
            print(*primes(50))

        """;

    private const string Fixed = "    print(*primes(50))";
    private const string WithArgument = "    import sys\n    print(*primes(int(sys.argv[1]) if len(sys.argv) > 1 else 50))";

    private readonly Lock gate = new();
    private readonly Queue<Func<FakeRequest, Reply>> steps = new();

    public PrimesModel(FakeAnthropic fake) => fake.Script(Next);

    /// <summary>The tool_use ids of the runs whose results the final texts quote, by name.</summary>
    private readonly Dictionary<string, string> calls = [];

    /// <summary>The held answer of <see cref="Slow"/>: it streams a little, then waits to be interrupted.</summary>
    public HeldReply Held { get; } = Reply.Held("Let me walk through it line by line");

    /// <summary>The replies to <see cref="Prompt"/>.</summary>
    public void ExpectPrompt() => Expect(
        request => request.ToolNames.Contains("Write")
            ? Reply.ToolUse("Write", new { file_path = PathIn(request, "primes.py"), content = Script }, text: "I'll write the script.")
            : Reply.ToolUse("Bash", new { command = $"cat > primes.py <<'EOF'\n{Script}EOF" }, text: "I'll write the script."),
        _ => Call("run", "Bash", new { command = "python3 primes.py" }),
        _ => Call("count", "Bash", new { command = @"printf 'from primes import primes\nprint(len(primes(50)))\n' > count.py && python3 count.py" }),
        request => Result(request, "run") is { IsError: false } run && Result(request, "count") is { IsError: false } count
            ? Reply.Text($"The script prints: {LastLine(run.Content)}. That is {LastLine(count.Content)} primes.")
            : Reply.Text($"I could not run primes.py: {Result(request, "run")?.Content}"));

    /// <summary>The replies to <see cref="FollowUp"/>.</summary>
    public void ExpectFollowUp() => Expect(
        request => Reply.ToolUse("Read", new { file_path = PathIn(request, "primes.py") }),
        request => request.ToolNames.Contains("Edit")
            ? Reply.ToolUse("Edit", new { file_path = PathIn(request, "primes.py"), old_string = Fixed, new_string = WithArgument })
            : Reply.ToolUse("Bash", new { command = "sed -i 's/primes(50))$/primes(int(__import__(\"sys\").argv[1])))/' primes.py" }),
        _ => Call("limit", "Bash", new { command = "python3 primes.py 20" }),
        request => Result(request, "limit") is { IsError: false } limit
            ? Reply.Text($"primes.py now takes the limit: `python3 primes.py 20` prints {LastLine(limit.Content)}.")
            : Reply.Text($"I could not change primes.py: {Result(request, "limit")?.Content}"));

    /// <summary>The reply to <see cref="Slow"/>: <see cref="Held"/>.</summary>
    public void ExpectSlow() => Expect(_ => Held);

    private void Expect(params Func<FakeRequest, Reply>[] replies)
    {
        lock (gate) foreach (var reply in replies) steps.Enqueue(reply);
    }

    private Reply Next(FakeRequest request)
    {
        Func<FakeRequest, Reply>? step;
        lock (gate) steps.TryDequeue(out step);
        // 400 rather than 5xx, which clients retry: an unexpected request fails the turn at once.
        return step?.Invoke(request) ?? Reply.Error(400, "invalid_request_error", "PrimesModel: no reply left for this request");
    }

    private MessageReply Call(string name, string tool, object input)
    {
        var reply = Reply.ToolUse(tool, input);
        lock (gate) calls[name] = reply.ToolUseId!;
        return reply;
    }

    private FakeToolResult? Result(FakeRequest request, string name)
    {
        string id;
        lock (gate) id = calls[name];
        return request.ToolResults.LastOrDefault(result => result.ToolUseId == id);
    }

    /// <summary>
    /// A program's output is the end of its tool result: a login shell's profile may print before it, and the CLI
    /// may add a note for the model (a <c>&lt;system-reminder&gt;</c>) after it.
    /// </summary>
    private static string LastLine(string output) => Reminder().Replace(output, "").TrimEnd().Split('\n')[^1].Trim();

    [GeneratedRegex("<system-reminder>.*?</system-reminder>", RegexOptions.Singleline)]
    private static partial Regex Reminder();

    /// <summary>An absolute path in the workspace the runtime's system prompt names, as a model writes it; else relative.</summary>
    private static string PathIn(FakeRequest request, string file) =>
        WorkspaceOf().Match(request.System) is { Success: true } found ? Path.Combine(found.Groups[1].Value, file) : file;

    // The CLI: "Primary working directory: /…"; the anthropic runtime: "You work in the workspace /…,".
    [GeneratedRegex(@"(?:[Ww]orking directory|the workspace):? (/[^\s,]+)")]
    private static partial Regex WorkspaceOf();
}
