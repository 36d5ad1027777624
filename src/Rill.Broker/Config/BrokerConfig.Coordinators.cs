namespace Rill.Broker.Config;

/// <summary>Where the coordinators keep their state in a cluster (Kafka's names and defaults).</summary>
public sealed partial class BrokerConfig
{
    /// <summary>Replication factor of __consumer_offsets when it is created (capped at the live brokers, as Kafka's first creation).</summary>
    public int OffsetsTopicReplicationFactor => GetInt("offsets.topic.replication.factor");

    /// <summary>Replication factor of __transaction_state when it is created (capped at the live brokers).</summary>
    public int TransactionStateLogReplicationFactor => GetInt("transaction.state.log.replication.factor");

    /// <summary>min.insync.replicas of __transaction_state.</summary>
    public int TransactionStateLogMinIsr => GetInt("transaction.state.log.min.isr");

    /// <summary>How long a coordinator's write waits for the in-sync replicas (acks=all) before it fails.</summary>
    public int OffsetsCommitTimeoutMs => GetInt("offsets.commit.timeout.ms");
}
