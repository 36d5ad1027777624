namespace Rill.Coordination.Transactions;

/// <summary>
/// The broker's __transaction_state: <see cref="Append"/> writes one record (a null value is a
/// tombstone) before it returns, and throws when it cannot.
/// </summary>
public interface ITransactionStateLog
{
    void Append(string transactionalId, byte[] key, byte[]? value);
}

/// <summary>
/// Writes the commit or abort control batch (marker) of producer id/epoch to every partition of a
/// transaction. The task completes once every marker is written; it faults when any write failed
/// (the coordinator retries the whole set, a marker written twice being harmless).
/// </summary>
public interface ITransactionMarkerWriter
{
    Task WriteMarkersAsync(long producerId, short producerEpoch, bool commit, IReadOnlyCollection<TxnPartition> partitions);

    /// <summary>The same for the transaction of <paramref name="transactionalId"/> (a cluster's coordinator epoch depends on it).</summary>
    Task WriteMarkersAsync(string transactionalId, long producerId, short producerEpoch, bool commit, IReadOnlyCollection<TxnPartition> partitions)
        => WriteMarkersAsync(producerId, producerEpoch, commit, partitions);
}

/// <summary>Hands out producer ids (shared with non-transactional idempotent producers).</summary>
public interface IProducerIdAllocator
{
    long Next();
}
