namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// What model calls cost, estimated from Anthropic's list prices in US dollars per million tokens. Cache writes
/// (5-minute) cost 1.25 times the input price and cache reads 0.1 times, as Anthropic prices them. A model
/// is found by the longest id prefix in the table (so dated ids such as <c>claude-sonnet-4-5-20250929</c>
/// match); a model not in it has no estimate rather than a wrong one. Batch, long-context and regional
/// pricing are not modelled. One table for the agent's turns (<c>turn.completed</c> cost_usd) and the node's model
/// gateway (a session's model_cost_usd and its max_model_usd budget).
/// </summary>
public static class ModelPrices
{
    private sealed record Price(decimal Input, decimal Output);

    private static readonly Dictionary<string, Price> Table = new(StringComparer.OrdinalIgnoreCase)
    {
        ["claude-opus-4-6"] = new(5m, 25m),
        ["claude-opus-4-5"] = new(5m, 25m),
        ["claude-opus-4-1"] = new(15m, 75m),
        ["claude-opus-4-0"] = new(15m, 75m),
        ["claude-opus-4-2025"] = new(15m, 75m),
        ["claude-sonnet-4-6"] = new(3m, 15m),
        ["claude-sonnet-4-5"] = new(3m, 15m),
        ["claude-sonnet-4-0"] = new(3m, 15m),
        ["claude-sonnet-4-2025"] = new(3m, 15m),
        ["claude-3-7-sonnet"] = new(3m, 15m),
        ["claude-haiku-4-5"] = new(1m, 5m),
        ["claude-3-5-haiku"] = new(0.8m, 4m),
    };

    private const decimal CacheWriteFactor = 1.25m;
    private const decimal CacheReadFactor = 0.1m;
    private const decimal PerMillion = 1_000_000m;

    /// <summary>The model's family as the table names it (<c>claude-sonnet-4-5</c> for a dated id), or null when it has no price.</summary>
    public static string? Family(string? model) =>
        model is null ? null : Table.Keys.Where(key => model.StartsWith(key, StringComparison.OrdinalIgnoreCase)).MaxBy(key => key.Length);

    /// <returns>The cost in US dollars, or null for a model without a known price.</returns>
    public static decimal? Estimate(string model, TokenUsage usage)
    {
        if (Family(model) is not { } family) return null;
        var price = Table[family];
        var cost = usage.InputTokens * price.Input
                   + usage.CacheCreationInputTokens * price.Input * CacheWriteFactor
                   + usage.CacheReadInputTokens * price.Input * CacheReadFactor
                   + usage.OutputTokens * price.Output;
        return Math.Round(cost / PerMillion, 6);
    }
}
