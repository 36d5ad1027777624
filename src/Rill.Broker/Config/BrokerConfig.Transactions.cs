namespace Rill.Broker.Config;

/// <summary>The transaction coordinator's settings (Kafka's names and defaults).</summary>
public sealed partial class BrokerConfig
{
    public int TransactionStateLogNumPartitions => GetInt("transaction.state.log.num.partitions");

    public int TransactionStateLogSegmentBytes => GetInt("transaction.state.log.segment.bytes");

    public int TransactionMaxTimeoutMs => GetInt("transaction.max.timeout.ms");

    public long TransactionalIdExpirationMs => GetLong("transactional.id.expiration.ms");

    public long TransactionAbortTimedOutCleanupIntervalMs => GetLong("transaction.abort.timed.out.transaction.cleanup.interval.ms");

    public long TransactionRemoveExpiredCleanupIntervalMs => GetLong("transaction.remove.expired.transaction.cleanup.interval.ms");

    public bool TransactionPartitionVerificationEnable => GetBool("transaction.partition.verification.enable");
}
