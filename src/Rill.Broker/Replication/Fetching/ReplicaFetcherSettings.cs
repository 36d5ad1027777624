using Rill.Broker.Config;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// Kafka's replica fetcher settings, with Kafka's defaults: num.replica.fetchers (1), replica.fetch.backoff.ms (1000),
/// replica.fetch.max.bytes (1 MiB, per partition), replica.fetch.response.max.bytes (10 MiB, per response),
/// replica.fetch.wait.max.ms (500) and replica.fetch.min.bytes (1). Read once at start.
/// </summary>
internal sealed record ReplicaFetcherSettings(int NumFetchers, int BackoffMs, int MaxBytes, int ResponseMaxBytes, int WaitMaxMs, int MinBytes)
{
    public static ReplicaFetcherSettings Default { get; } = new(1, 1000, 1024 * 1024, 10 * 1024 * 1024, 500, 1);

    /// <summary>
    /// The pause before a partition is fetched again after an answer that means the leader has not applied the newest
    /// metadata yet (NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION right after a leader change):
    /// 100 ms, at most the backoff, so a failover does not wait a whole replica.fetch.backoff.ms for a race of a few milliseconds.
    /// </summary>
    public int MetadataRaceRetryMs => Math.Min(100, BackoffMs);

    public static ReplicaFetcherSettings From(BrokerConfig config) => new(
        Math.Max(1, config.NumReplicaFetchers),
        Math.Max(0, config.ReplicaFetchBackoffMs),
        Math.Max(1, config.ReplicaFetchMaxBytes),
        Math.Max(1, config.ReplicaFetchResponseMaxBytes),
        Math.Max(0, config.ReplicaFetchWaitMaxMs),
        Math.Max(0, config.ReplicaFetchMinBytes));
}
