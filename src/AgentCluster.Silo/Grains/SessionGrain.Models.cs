using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The session's side of its model gateway (ModelGateway/): the model token its agent's runtime presents instead
/// of a real key, the check of each call (this session's token, the session open, its max_model_usd not spent) and
/// the tally of what the calls used and cost. The gateway itself, on whichever node the runtime reaches, relays the
/// calls and adds the real key; the session only ever hands out the token.
/// </summary>
public sealed partial class SessionGrain
{
    private bool ModelBudgetSpent => S.MaxModelUsd is { } max && S.ModelCostUsd >= max;

    /// <summary>
    /// A fresh model token for the agent that asks (each agent process, at its start): only its hash is kept, so the
    /// one handed out before dies with the process it was handed to.
    /// </summary>
    private async Task<string> IssueModelTokenAsync()
    {
        var modelToken = SessionTokens.New(SessionTokens.ModelPrefix);
        S.ModelTokenHash = SessionTokens.Hash(modelToken);
        await state.WriteStateAsync();
        return modelToken;
    }

    Task<ModelGrant> ISessionGrain.AuthorizeModelCallAsync(string modelToken)
    {
        AuthorizeModel(modelToken);
        EnsureOpen();
        if (ModelBudgetSpent)
            throw new SessionException(SessionErrorKind.Forbidden,
                $"Session '{Id}' has spent its model budget: ${S.ModelCostUsd} of max_model_usd ${S.MaxModelUsd}. Start a session with a larger max_model_usd to go on.",
                ModelBudget.Field);
        return Task.FromResult(new ModelGrant { ProtectedApiKey = S.ProtectedApiKey });
    }

    Task ISessionGrain.RecordModelUsageAsync(string modelToken, string? model, TokenUsage usage) => Exclusively(async () =>
    {
        AuthorizeModel(modelToken);
        // Counted even once the session has ended: a call under way when it ended was still spent.
        S.ModelUsage = (S.ModelUsage ?? TokenUsage.None).Plus(usage);
        if (model is not null && ModelPrices.Estimate(model, usage) is { } cost) S.ModelCostUsd += cost;
        var events = new List<NewEvent>();
        if (!Terminated && ModelBudgetSpent && !S.ModelBudgetWarned)
        {
            S.ModelBudgetWarned = true;
            LogModelBudgetSpent(Id, S.MaxModelUsd!.Value, S.ModelCostUsd);
            events.Add(new(EventTypes.SessionWarning, S.Turns, EventPayloads.ModelBudgetWarning(
                $"The session's model calls have cost ${S.ModelCostUsd} of its max_model_usd ${S.MaxModelUsd}: its model gateway refuses further calls.",
                Now, S.ModelCostUsd, S.MaxModelUsd!.Value)));
        }
        await CommitAsync(events, forceWrite: true);
        return true;
    });

    private void AuthorizeModel(string modelToken)
    {
        if (!Started) throw SessionException.NotFound(Id);
        if (!SessionTokens.Matches(modelToken, S.ModelTokenHash))
            throw new SessionException(SessionErrorKind.Forbidden, $"This credential is not a model token of session '{Id}'.");
    }

    [LoggerMessage(1020, LogLevel.Warning, "Session {SessionId} spent its model budget of {MaxModelUsd} USD ({ModelCostUsd} USD): its model gateway refuses further calls")]
    private partial void LogModelBudgetSpent(string sessionId, decimal maxModelUsd, decimal modelCostUsd);
}
