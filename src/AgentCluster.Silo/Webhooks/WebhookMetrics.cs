using System.Diagnostics.Metrics;
using AgentCluster.Silo.Telemetry;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// The webhooks' instruments on the <c>AgentCluster</c> meter, counted on the node that holds each subscription's
/// grain; summed over nodes, the cluster's. No tags: a subscription or session id would be a series each, and a
/// failure's text is unbounded (a subscription's <c>last_error</c> says it).
/// </summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> delivered;
    private readonly Counter<long> failedAttempts;
    private readonly Counter<long> givenUp;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(SessionMetrics.MeterName);
        delivered = meter.CreateCounter<long>("agentcluster.webhooks.delivered", "{delivery}", "Webhook deliveries a receiver accepted (answered 2xx).");
        failedAttempts = meter.CreateCounter<long>("agentcluster.webhooks.failed_attempts", "{attempt}",
            "Webhook delivery attempts that failed (no connection, refused address, timeout, or an answer other than 2xx, redirects included); each is retried until given up.");
        givenUp = meter.CreateCounter<long>("agentcluster.webhooks.given_up", "{delivery}",
            "Webhook deliveries given up: retried for the whole schedule, pushed out of a full queue, or their event gone from its session's log.");
    }

    public void Delivered() => delivered.Add(1);

    public void AttemptFailed() => failedAttempts.Add(1);

    public void GaveUp(long count)
    {
        if (count > 0) givenUp.Add(count);
    }
}
