namespace AgentCluster.Silo.OpenAi;

/// <summary>The answer of a <c>stream: false</c> request: OpenAI's <c>chat.completion</c> object.</summary>
public sealed record ChatCompletion(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, ChatUsage Usage)
{
    public string Object => "chat.completion";
}

public sealed record ChatChoice(int Index, AssistantMessage Message, string FinishReason);

public sealed record AssistantMessage(string Content)
{
    public string Role => "assistant";
}

/// <summary>A turn's tokens in OpenAI's terms: every input token (cached or not) is a prompt token.</summary>
public sealed record ChatUsage(long PromptTokens, long CompletionTokens)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}
