using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Cost;

/// <summary>
/// A session's budget of model spend (max_model_usd), in US dollars by the price table (<see cref="ModelPrices"/>):
/// once the session's model calls have cost it, its model gateway refuses further calls and the session warns once
/// (<c>session.warning</c> {kind: model_budget}). The session itself goes on (its machine has its own budget). Calls
/// already under way finish, so the spend can pass the budget by what they cost. A model without a known price costs
/// nothing by the table and is not held by it.
/// </summary>
public static class ModelBudget
{
    public const string Field = "max_model_usd";

    /// <summary>A ceiling on the ceiling: a typo of a few zeros is more likely than a session meant to spend more.</summary>
    public const decimal MaxUsd = 100_000m;

    /// <summary>The problem with a budget, naming <paramref name="setting"/>; null when it is fine.</summary>
    public static string? Problem(decimal? usd, string setting = Field) =>
        usd is null or (> 0 and <= MaxUsd)
            ? null
            : $"{setting} must be an amount of US dollars above 0 and at most {MaxUsd}; got {usd}.";

    /// <summary>A 400 naming max_model_usd for a budget out of range.</summary>
    public static void Validate(decimal? usd)
    {
        if (Problem(usd) is { } problem) throw SessionException.Invalid(Field, problem);
    }
}
