using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Agents;
using Anthropic.Models.Messages;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>
/// The session's conversation with the model, in the Messages API's own JSON, kept across turns and saved in
/// the workspace so that a restarted agent goes on with it. It always stays sendable: user and assistant
/// messages alternate (a user message that follows a user message joins it), and every tool_use of the last
/// assistant message gets its tool_result, even when the turn was cut short or the agent died mid-tool.
/// </summary>
internal sealed class Conversation
{
    /// <summary>Where in the workspace the conversation is kept; the folder is git-ignored so a commit of the workspace leaves it out.</summary>
    public const string Folder = ".agentcluster";
    public const string FileName = "anthropic-conversation.json";

    private readonly string path;
    private readonly JsonArray messages;

    private Conversation(string path, JsonArray messages)
    {
        this.path = path;
        this.messages = messages;
    }

    public int Count => messages.Count;

    /// <summary>The workspace's conversation as last saved, or a new one.</summary>
    public static Conversation Open(string workspace)
    {
        var path = Path.Combine(workspace, Folder, FileName);
        var conversation = new Conversation(path, Load(path));
        conversation.CloseToolUses("the agent restarted before this tool call finished");
        return conversation;
    }

    /// <summary>
    /// A new conversation in a session that had turns (a restart's new machine, the saved one gone with the old disk)
    /// starts from them: each prompt and reply as a user and an assistant message. One saved in the workspace wins.
    /// </summary>
    public void Seed(IReadOnlyList<ConversationTurn> turns)
    {
        if (messages.Count > 0) return;
        foreach (var turn in turns)
        {
            AddUserText(turn.Prompt);
            if (turn.Reply is { Length: > 0 } reply) AddAssistant(new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reply }));
        }
    }

    public void AddUserText(string text) => AddUser(new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }));

    /// <param name="content">The reply's content blocks; an empty reply adds nothing (the API refuses an empty message).</param>
    public void AddAssistant(JsonArray content)
    {
        if (content.Count > 0) messages.Add((JsonNode)new JsonObject { ["role"] = "assistant", ["content"] = content });
    }

    public void AddToolResults(IEnumerable<JsonObject> results) => AddUser(new JsonArray([.. results]));

    /// <summary>The tool_use ids of the last assistant message that have no tool_result yet.</summary>
    public IReadOnlyList<string> OpenToolUses()
    {
        var last = messages.Count - 1;
        if (last < 0) return [];
        var assistant = Role(messages[last]) == "assistant" ? last : last > 0 && Role(messages[last - 1]) == "assistant" ? last - 1 : -1;
        if (assistant < 0) return [];
        HashSet<string?> answered = assistant < last ? [.. Blocks(messages[last]).Where(b => Type(b) == "tool_result").Select(b => (string?)b!["tool_use_id"])] : [];
        return [.. Blocks(messages[assistant]).Where(b => Type(b) == "tool_use").Select(b => (string)b!["id"]!).Where(id => !answered.Contains(id))];
    }

    /// <summary>Answers every open tool_use with an error result, so the conversation can be sent again.</summary>
    public void CloseToolUses(string reason)
    {
        var open = OpenToolUses();
        if (open.Count > 0) AddToolResults(open.Select(id => ToolResult(id, reason, isError: true)));
    }

    public static JsonObject ToolResult(string toolUseId, string content, bool isError) => new()
    {
        ["type"] = "tool_result",
        ["tool_use_id"] = toolUseId,
        ["content"] = content,
        ["is_error"] = isError,
    };

    /// <summary>The messages as the SDK's request parameters, carried over as they are (raw JSON).</summary>
    public IReadOnlyList<MessageParam> ToParams()
    {
        var json = AnthropicJson.Element(messages);
        return [.. json.EnumerateArray().Select(message => new MessageParam(message))];
    }

    /// <summary>Writes the conversation whole, through a temporary file, so a crash mid-write leaves the last good one.</summary>
    public void Save()
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var ignore = Path.Combine(folder, ".gitignore");
        if (!File.Exists(ignore)) File.WriteAllText(ignore, "*\n");
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("messages");
            messages.WriteTo(writer);
            writer.WriteEndObject();
        }
        File.Move(temporary, path, overwrite: true);
    }

    private void AddUser(JsonArray blocks)
    {
        if (messages.Count > 0 && messages[^1] is JsonObject last && Role(last) == "user")
        {
            var content = last["content"] as JsonArray ?? ReplaceStringContent(last);
            foreach (var block in blocks) content.Add(block!.DeepClone());
            return;
        }
        messages.Add((JsonNode)new JsonObject { ["role"] = "user", ["content"] = blocks });
    }

    private static JsonArray ReplaceStringContent(JsonObject message)
    {
        var content = new JsonArray();
        if (message["content"]?.GetValue<string>() is { Length: > 0 } text) content.Add((JsonNode)new JsonObject { ["type"] = "text", ["text"] = text });
        message["content"] = content;
        return content;
    }

    private static JsonArray Load(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?["messages"] as JsonArray ?? [];
        }
        catch (JsonException)
        {
            // Unreadable: kept aside for a person to look at, and the session starts a new conversation.
            File.Move(path, path + ".unreadable", overwrite: true);
            return [];
        }
    }

    private static string? Role(JsonNode? message) => (string?)message?["role"];

    private static string? Type(JsonNode? block) => (string?)block?["type"];

    private static IEnumerable<JsonNode?> Blocks(JsonNode? message) => message?["content"] as JsonArray ?? [];
}
