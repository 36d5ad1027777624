using Rill.Protocol;

namespace Rill.Coordination.Transactions;

/// <summary>The broker settings of the transaction coordinator, Kafka's names and defaults.</summary>
public sealed record TransactionCoordinatorOptions
{
    /// <summary>transaction.max.timeout.ms: a larger transaction.timeout.ms gets INVALID_TRANSACTION_TIMEOUT.</summary>
    public int MaxTimeoutMs { get; init; } = 900_000;
    /// <summary>transactional.id.expiration.ms: an idle (not ongoing) id is removed after this long.</summary>
    public long IdExpirationMs { get; init; } = 604_800_000;
    /// <summary>transaction.abort.timed.out.transaction.cleanup.interval.ms: how often expired transactions are aborted (and failed marker writes retried).</summary>
    public long AbortCheckIntervalMs { get; init; } = 10_000;
    /// <summary>transaction.remove.expired.transaction.cleanup.interval.ms.</summary>
    public long RemoveExpiredIntervalMs { get; init; } = 3_600_000;
}

/// <summary>The answer to InitProducerId.</summary>
public readonly record struct InitProducerIdResult(ErrorCode Error, long ProducerId, short ProducerEpoch);
