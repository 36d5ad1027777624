namespace Rill.Coordination.Transactions;

/// <summary>
/// One transactional id's state. Owned by its entry's executor: only code running there reads or
/// changes it (describe calls take a <see cref="Snapshot"/> there too).
/// </summary>
internal sealed class TransactionMetadata
{
    public TransactionMetadata(string transactionalId) => TransactionalId = transactionalId;

    public string TransactionalId { get; }
    public long ProducerId { get; set; } = -1;
    /// <summary>The producer id before the last change of id (epoch exhaustion), -1 if none.</summary>
    public long PreviousProducerId { get; set; } = -1;
    public short ProducerEpoch { get; set; } = -1;
    /// <summary>The epoch before the last bump (KIP-360: an InitProducerId retry naming it gets the current one).</summary>
    public short LastProducerEpoch { get; set; } = -1;
    public int TimeoutMs { get; set; }
    public TransactionState State { get; set; } = TransactionState.Empty;
    public HashSet<TxnPartition> Partitions { get; } = [];
    public long StartTimestampMs { get; set; } = -1;
    public long LastUpdateTimestampMs { get; set; } = -1;
    /// <summary>
    /// The transaction version the client ended (or started) the transaction with: 2 (KIP-890 part 2) bumps the
    /// epoch at every EndTxn. Stored as TransactionLogValue's ClientTransactionVersion.
    /// </summary>
    public short ClientTransactionVersion { get; set; }
    /// <summary>
    /// Transactions v2: the producer id the id moves to once the markers of a Prepare state are written, because
    /// ending the transaction exhausted the epoch (-1 otherwise). Stored as TransactionLogValue's NextProducerId.
    /// </summary>
    public long NextProducerId { get; set; } = -1;
    /// <summary>True while the markers of a Prepare state are being written.</summary>
    public bool MarkersInFlight { get; set; }

    public TransactionSnapshot Snapshot() => new(TransactionalId, ProducerId, ProducerEpoch, TimeoutMs, State,
        Partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList(),
        StartTimestampMs, LastUpdateTimestampMs);
}

/// <summary>An immutable copy of one transactional id's state (DescribeTransactions, ListTransactions, tests).</summary>
public sealed record TransactionSnapshot(string TransactionalId, long ProducerId, short ProducerEpoch, int TimeoutMs,
    TransactionState State, IReadOnlyList<TxnPartition> Partitions, long StartTimestampMs, long LastUpdateTimestampMs);
