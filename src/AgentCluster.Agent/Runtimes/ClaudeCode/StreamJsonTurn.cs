using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// Reads one turn of the CLI's <c>--output-format stream-json</c> output, a JSON message per line, and maps it
/// onto the turn's events and outcome. Seen from Claude Code 2.1.197 and 2.1.332 (tools/claude-code):
/// <list type="table">
/// <listheader><term>type / subtype</term><description>what it becomes</description></listheader>
/// <item><term><c>system</c> / <c>init</c></term><description>nothing sent; its <c>session_id</c> is the conversation
/// (the same on <c>--resume</c>), remembered once a later message shows the conversation was saved</description></item>
/// <item><term><c>assistant</c></term><description>each <c>text</c> block: Output("text"); each <c>tool_use</c>
/// block: ToolUse(id, name, input as JSON); other blocks (<c>thinking</c>, <c>redacted_thinking</c>) skipped. The
/// same for a subagent's (<c>parent_tool_use_id</c> set) and for the CLI's own synthetic message
/// (<c>model: "&lt;synthetic&gt;"</c>) that says an API call failed.</description></item>
/// <item><term><c>user</c></term><description>each <c>tool_result</c> block: ToolResult(tool_use_id, its text parts
/// joined by newlines, is_error), including the CLI's own refusals (a tool not allowed; on SIGINT, the
/// interrupted call's "The user doesn't want to proceed…"); text blocks (the prompt, "[Request interrupted by
/// user for tool use]") skipped</description></item>
/// <item><term><c>result</c> / <c>success</c></term><description>outcome <c>success</c>; but <c>error</c> when
/// <c>is_error</c> (an API error: the CLI reports it as success with <c>is_error: true</c>), Reason its <c>result</c> text</description></item>
/// <item><term><c>result</c> / <c>error_max_turns</c></term><description>outcome <c>max_turns</c></description></item>
/// <item><term><c>result</c> / <c>error_during_execution</c>, any other</term><description>outcome <c>error</c>,
/// Reason the <c>result</c> text, else its <c>errors</c>, else the subtype (e.g. "No conversation found with
/// session ID: …" for a <c>--resume</c> of a lost conversation, without <c>init</c>: the runtime then runs the turn
/// again in a new conversation). After SIGINT the CLI ends so too; the runtime then reports <c>interrupted</c>,
/// keeping the turn count, usage and cost</description></item>
/// <item><term>every <c>result</c></term><description>NumTurns from <c>num_turns</c>, Usage from <c>usage</c>
/// (input, output, cache creation, cache read tokens), CostUsd from <c>total_cost_usd</c>, DeniedTools from the length of
/// <c>permission_denials</c> (the calls its permission checks refused, each also a tool_result error; a call of a tool
/// the CLI does not offer, such as a disallowed one, is an error result but no denial), left out when empty</description></item>
/// <item><term><c>stream_event</c> (<c>--include-partial-messages</c>)</term><description>its <c>event</c> is a raw
/// Messages API stream event: a <c>content_block_delta</c> whose <c>delta</c> is a <c>text_delta</c> becomes
/// TextDelta(its text), so text reaches the session as it is written (the <c>assistant</c> message with the whole
/// block follows); every other event (message and block starts and stops, <c>thinking_delta</c>,
/// <c>input_json_delta</c>, …) skipped</description></item>
/// <item><term><c>system</c> / <c>api_retry</c></term><description>Output("stderr", "claude: API request failed (401
/// authentication_failed), retry 1 of 10 in 0.6 s"): the CLI retries failed calls for minutes, silently otherwise</description></item>
/// <item><term>any other type or subtype (not seen in these runs; the CLI documents <c>system</c> /
/// <c>compact_boundary</c>, hook events, …)</term><description>skipped</description></item>
/// <item><term>a line that is not JSON</term><description>Output("stdout", line), so nothing the CLI says is lost</description></item>
/// </list>
/// The CLI's stderr goes to Output("stderr") line by line, outside this class.
/// </summary>
/// <param name="conversationSaved">
/// Called once with the session id when the first message after <c>init</c> arrives: by then the CLI has
/// written the conversation's transcript, so <c>--resume</c> will find it.
/// </param>
internal sealed class StreamJsonTurn(ITurnEvents events, Action<string> conversationSaved)
{
    // Tool calls shown without their result yet, in order: an interrupted CLI may exit before it writes one.
    private readonly List<string> openToolCalls = [];
    private string? sessionId;
    private bool saved;

    /// <summary>The outcome the <c>result</c> message gave, or null if none came (the CLI died or was stopped).</summary>
    public TurnOutcome? Outcome { get; private set; }

    /// <summary>
    /// The CLI ended before starting (no <c>init</c>) because the conversation to resume does not exist: its
    /// transcript was deleted. Recognised by the CLI's words, so another failure is never taken for it.
    /// </summary>
    public bool ConversationNotFound =>
        sessionId is null && Outcome?.Outcome == TurnOutcomes.Error && Outcome.Reason?.StartsWith("No conversation found", StringComparison.Ordinal) == true;

    public void Read(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            events.Output(OutputStreams.Stdout, line);
            return;
        }
        using (document)
        {
            var message = document.RootElement;
            if (message.ValueKind != JsonValueKind.Object) return;
            var type = String(message, "type");
            var subtype = String(message, "subtype");
            if (type == "system" && subtype == "init")
            {
                sessionId = String(message, "session_id");
                return;
            }
            NoteSaved();
            switch (type)
            {
                case "system" when subtype == "api_retry":
                    events.Output(OutputStreams.Stderr, Retry(message));
                    break;
                case "stream_event":
                    ReadStreamEvent(message);
                    break;
                case "assistant":
                    ReadAssistant(message);
                    break;
                case "user":
                    ReadUser(message);
                    break;
                case "result":
                    Outcome = ReadResult(message);
                    break;
            }
        }
    }

    private void NoteSaved()
    {
        if (saved || sessionId is null) return;
        saved = true;
        conversationSaved(sessionId);
    }

    private void ReadAssistant(JsonElement message)
    {
        foreach (var block in Blocks(message))
        {
            switch (String(block, "type"))
            {
                case "text" when String(block, "text") is { } text:
                    events.Output(OutputStreams.Text, text);
                    break;
                case "tool_use":
                    var id = String(block, "id") ?? "";
                    openToolCalls.Add(id);
                    events.ToolUse(id, String(block, "name") ?? "", block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                    break;
            }
        }
    }

    /// <summary>Model text as it streams; the <c>assistant</c> message with the whole block comes after.</summary>
    private void ReadStreamEvent(JsonElement message)
    {
        if (message.TryGetProperty("event", out var streamEvent) && streamEvent.ValueKind == JsonValueKind.Object
            && String(streamEvent, "type") == "content_block_delta"
            && streamEvent.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
            && String(delta, "type") == "text_delta" && String(delta, "text") is { } text)
            events.TextDelta(text);
    }

    private void ReadUser(JsonElement message)
    {
        foreach (var block in Blocks(message))
        {
            if (String(block, "type") != "tool_result") continue;
            var id = String(block, "tool_use_id") ?? "";
            openToolCalls.Remove(id);
            events.ToolResult(id,
                block.TryGetProperty("content", out var content) ? Text(content) : "",
                block.TryGetProperty("is_error", out var error) && error.ValueKind == JsonValueKind.True);
        }
    }

    /// <summary>
    /// Ends every tool call the stream showed without a result, as an error result: after SIGINT the CLI usually
    /// writes the interrupted call's result itself, but it may exit first (seen on a loaded machine), and a client
    /// that pairs each tool call with its result would otherwise show the call as running forever.
    /// </summary>
    public void CloseOpenToolCalls(string reason)
    {
        foreach (var id in openToolCalls) events.ToolResult(id, reason, isError: true);
        openToolCalls.Clear();
    }

    /// <summary>Said, because the CLI retries for minutes (a wrong key: ten times) with nothing else to show.</summary>
    private static string Retry(JsonElement retry)
    {
        var status = retry.TryGetProperty("error_status", out var code) ? code.GetRawText() : "no status";
        var delay = retry.TryGetProperty("retry_delay_ms", out var ms) && ms.TryGetDouble(out var milliseconds) ? milliseconds / 1000 : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"claude: API request failed ({status} {String(retry, "error")}), retry {Long(retry, "attempt")} of {Long(retry, "max_retries")} in {delay:0.#} s");
    }

    private static TurnOutcome ReadResult(JsonElement result)
    {
        var isError = result.TryGetProperty("is_error", out var flag) && flag.ValueKind == JsonValueKind.True;
        var subtype = String(result, "subtype");
        var outcome = subtype switch
        {
            "success" when !isError => TurnOutcomes.Success,
            "error_max_turns" => TurnOutcomes.MaxTurns,
            _ => TurnOutcomes.Error,
        };
        return new TurnOutcome(
            outcome,
            Reason: outcome == TurnOutcomes.Success ? null : Reason(result, subtype),
            NumTurns: result.TryGetProperty("num_turns", out var turns) && turns.TryGetInt32(out var count) ? count : null,
            Usage: result.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                ? new TokenUsage(Long(usage, "input_tokens"), Long(usage, "output_tokens"),
                    Long(usage, "cache_creation_input_tokens"), Long(usage, "cache_read_input_tokens"))
                : null,
            CostUsd: result.TryGetProperty("total_cost_usd", out var cost) && cost.TryGetDecimal(out var usd) ? usd : null,
            DeniedTools: result.TryGetProperty("permission_denials", out var denials) && denials.ValueKind == JsonValueKind.Array
                && denials.GetArrayLength() is > 0 and var denied ? denied : null);
    }

    private static string? Reason(JsonElement result, string? subtype)
    {
        if (String(result, "result") is { Length: > 0 } text) return text;
        if (result.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            return string.Join("; ", errors.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()));
        return subtype;
    }

    /// <summary>The content blocks of a message's <c>message.content</c>, none when it is a plain string.</summary>
    private static IEnumerable<JsonElement> Blocks(JsonElement message) =>
        message.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.Object
        && inner.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
            ? content.EnumerateArray().Where(block => block.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>A tool result's content: a string, or the text parts of its blocks joined by newlines.</summary>
    private static string Text(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || String(part, "type") != "text" || String(part, "text") is not { } value) continue;
            if (text.Length > 0) text.Append('\n');
            text.Append(value);
        }
        return text.ToString();
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : 0;
}
