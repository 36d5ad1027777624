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

    /// <summary>
    /// rill.transaction.version: the finalized level of the transaction.version feature advertised in ApiVersions
    /// (0-2, default 2 as a new Kafka 4.x cluster). At 2, Produce v12 / EndTxn v5 / TxnOffsetCommit v5 use
    /// transactions v2 (KIP-890 part 2); below, they behave as their v1 versions.
    /// </summary>
    public short TransactionVersion => (short)GetInt("rill.transaction.version");

    /// <summary>producer.id.expiration.ms: an idle producer's state in a partition is dropped after this long (KIP-854).</summary>
    public int ProducerIdExpirationMs => GetInt("producer.id.expiration.ms");
}
