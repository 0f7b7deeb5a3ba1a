using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes.Anthropic.Tools;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>
/// A coding agent built in: the model on Anthropic's Messages API (streamed, through the official SDK) and the
/// tools in C#, for images that carry no Node for Claude Code. Each of our turns adds the user's message to the
/// session's conversation and lets the model call tools until it is done, up to the session's max_turns model
/// calls. A reply cut at max_tokens ends the turn with an error rather than being continued: the model's text
/// is in the conversation and the next turn can ask it to go on.
/// </summary>
internal sealed class AnthropicRuntime : IAgentRuntime
{
    public const string RuntimeName = AgentRuntimes.Anthropic;
    public const string DefaultModel = "claude-sonnet-4-6";
    public const int MaxTokens = 16_000;
    public const string DefaultBaseUrl = "https://api.anthropic.com";

    private readonly RuntimeContext context;
    private readonly Toolbox toolbox;
    private readonly Conversation conversation;
    private readonly string model;
    private readonly string system;

    /// <exception cref="AgentExit">Exit code 2 in a Native AOT build of the agent, where the SDK cannot work.</exception>
    public AnthropicRuntime(RuntimeContext context)
    {
        // The SDK (de)serializes its models with System.Text.Json's reflection, which Native AOT leaves out:
        // better to refuse at start than to fail every turn with the SDK's own exception.
        if (!JsonSerializer.IsReflectionEnabledByDefault)
            throw AgentExit.Misconfigured("the anthropic runtime needs an agent built without Native AOT (the Anthropic SDK serializes JSON by reflection)");
        this.context = context;
        toolbox = new Toolbox(context.Workspace, context.Settings);
        conversation = Conversation.Open(context.Workspace);
        conversation.Seed(context.Conversation);
        model = context.Settings.Model is { Length: > 0 } chosen ? chosen : DefaultModel;
        system = SystemPrompt.For(context.Workspace, context.Settings.SystemPrompt);
    }

    public string Name => RuntimeName;

    public async Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken)
    {
        var tally = new TurnTally(model);
        if (context.Get("ANTHROPIC_API_KEY") is not { } apiKey)
            return tally.Outcome(TurnOutcomes.Error, "no ANTHROPIC_API_KEY: the node handed this session no model credential");

        conversation.AddUserText(turn.Content);
        using var client = NewClient(apiKey);
        try
        {
            return await ConverseAsync(client, tally, events, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return tally.Outcome(TurnOutcomes.Interrupted);
        }
        catch (Exception e) when (ApiFailure.Reason(e) is { } reason)
        {
            return tally.Outcome(TurnOutcomes.Error, reason);
        }
        finally
        {
            conversation.CloseToolUses(cancellationToken.IsCancellationRequested ? "interrupted before this tool call finished" : "not run: the turn ended first");
            conversation.Save();
        }
    }

    private async Task<TurnOutcome> ConverseAsync(AnthropicClient client, TurnTally tally, ITurnEvents events, CancellationToken cancellationToken)
    {
        var maxCalls = context.Settings.MaxTurns;
        while (true)
        {
            if (tally.Calls >= maxCalls) return tally.Outcome(TurnOutcomes.MaxTurns, $"the model used all {maxCalls} calls max_turns allows");

            var reply = await ReplyReader.ReadAsync(client.Messages.CreateStreaming(Request(), cancellationToken), events, cancellationToken);
            tally.Add(reply.Usage);
            conversation.AddAssistant(reply.Content);
            conversation.Save();

            switch (reply.StopReason)
            {
                case "end_turn" or "stop_sequence":
                    return tally.Outcome(TurnOutcomes.Success);
                case "tool_use":
                    await RunToolsAsync(reply.ToolCalls, tally, events, cancellationToken);
                    break;
                case "pause_turn":
                    break; // the API paused a long turn of its own: sending the conversation back resumes it
                case "max_tokens":
                    return tally.Outcome(TurnOutcomes.Error, $"the model's reply reached max_tokens ({MaxTokens}) before it finished");
                case "refusal":
                    return tally.Outcome(TurnOutcomes.Error, "the model declined to continue (stop_reason refusal)");
                case "model_context_window_exceeded":
                    return tally.Outcome(TurnOutcomes.Error, "the conversation no longer fits the model's context window");
                case null:
                    return tally.Outcome(TurnOutcomes.Error, "the Messages API stream ended before the reply did");
                default:
                    return tally.Outcome(TurnOutcomes.Error, $"the model stopped for a reason this runtime does not know: {reply.StopReason}");
            }
        }
    }

    /// <summary>Runs the reply's tool calls one after the other; the results go into the conversation even when the turn is interrupted.</summary>
    private async Task RunToolsAsync(IReadOnlyList<ToolCall> calls, TurnTally tally, ITurnEvents events, CancellationToken cancellationToken)
    {
        var results = new List<JsonObject>();
        try
        {
            foreach (var call in calls)
            {
                var output = await toolbox.RunAsync(call.Name, AnthropicJson.Element(call.Input), cancellationToken);
                if (output.Denied) tally.Deny();
                events.ToolResult(call.Id, output.Content, output.IsError);
                results.Add(Conversation.ToolResult(call.Id, output.Content, output.IsError));
            }
        }
        finally
        {
            conversation.AddToolResults(results);
        }
    }

    private MessageCreateParams Request()
    {
        var tools = toolbox.Offered.Select(tool => new ToolUnion(AnthropicJson.Element(new JsonObject
        {
            ["name"] = tool.Name,
            ["description"] = tool.Description,
            ["input_schema"] = JsonNode.Parse(tool.InputSchema),
        }))).ToList();
        var request = new MessageCreateParams
        {
            Model = model,
            MaxTokens = MaxTokens,
            System = system,
            Messages = conversation.ToParams(),
            // The conversation grows by a little each call and is sent whole: the API caches the prefix it has seen.
            CacheControl = new CacheControlEphemeral(),
        };
        return tools.Count > 0 ? request with { Tools = tools } : request;
    }

    /// <summary>
    /// A client with the session's key and base URL given explicitly: the SDK would otherwise read them (and
    /// ANTHROPIC_AUTH_TOKEN) from the process environment, which is not where the session's credentials are.
    /// </summary>
    private AnthropicClient NewClient(string apiKey) => new(new ClientOptions
    {
        ApiKey = apiKey,
        AuthToken = null,
        BaseUrl = context.Get("ANTHROPIC_BASE_URL") ?? DefaultBaseUrl,
    });
}
