using Rill.Protocol;

namespace Rill.Coordination.Transactions;

public sealed partial class TransactionCoordinator
{
    /// <summary>The internal topic that holds committed offsets (AddOffsetsToTxn adds one of its partitions).</summary>
    public const string OffsetsTopic = "__consumer_offsets";

    /// <summary>
    /// AddPartitionsToTxn (and AddOffsetsToTxn, with the group's __consumer_offsets partition):
    /// adds the partitions to the producer's transaction, starting it when none is ongoing.
    /// </summary>
    public Task<ErrorCode> AddPartitionsAsync(string transactionalId, long producerId, short producerEpoch,
        IReadOnlyCollection<TxnPartition> partitions)
    {
        if (Availability(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(unavailable);
        }
        if (!_entries.ContainsKey(transactionalId))
        {
            return Task.FromResult(ErrorCode.InvalidProducerIdMapping);
        }
        return OnOwner(transactionalId, entry => AddPartitions(entry.Metadata, producerId, producerEpoch, partitions));
    }

    private ErrorCode AddPartitions(TransactionMetadata? m, long producerId, short producerEpoch, IReadOnlyCollection<TxnPartition> partitions)
    {
        ErrorCode check = CheckProducer(m, producerId, producerEpoch);
        if (check != ErrorCode.None)
        {
            return check;
        }
        switch (m!.State)
        {
            case TransactionState.PrepareCommit:
            case TransactionState.PrepareAbort:
            case TransactionState.PrepareEpochFence:
                return ErrorCode.ConcurrentTransactions;
            case TransactionState.Dead:
                return ErrorCode.InvalidProducerIdMapping;
            case TransactionState.Ongoing when partitions.All(m.Partitions.Contains):
                return ErrorCode.None;
        }
        var before = Copy(m);
        long now = NowMs;
        if (m.State != TransactionState.Ongoing)
        {
            m.Partitions.Clear();
            m.StartTimestampMs = now;
            m.State = TransactionState.Ongoing;
        }
        m.Partitions.UnionWith(partitions);
        m.LastUpdateTimestampMs = now;
        if (!Persist(m))
        {
            Restore(m, before);
            return ErrorCode.CoordinatorNotAvailable;
        }
        return ErrorCode.None;
    }

    /// <summary>
    /// AddPartitionsToTxn v4+ VerifyOnly (KIP-890 part 1): NONE when the producer's transaction is
    /// ongoing and holds the partition, otherwise the error a transactional write to it gets.
    /// </summary>
    public Task<ErrorCode> VerifyPartitionAsync(string transactionalId, long producerId, short producerEpoch, TxnPartition partition)
    {
        if (Availability(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(unavailable);
        }
        if (!_entries.ContainsKey(transactionalId))
        {
            return Task.FromResult(ErrorCode.InvalidProducerIdMapping);
        }
        return OnOwner(transactionalId, entry =>
        {
            ErrorCode check = CheckProducer(entry.Metadata, producerId, producerEpoch);
            if (check != ErrorCode.None)
            {
                return check;
            }
            return entry.Metadata!.State == TransactionState.Ongoing && entry.Metadata.Partitions.Contains(partition)
                ? ErrorCode.None
                : ErrorCode.InvalidTxnState;
        });
    }

    /// <summary>
    /// EndTxn: an ongoing transaction moves to PrepareCommit/PrepareAbort (written before the
    /// answer), then its markers are written and it completes. A retry of the decision already
    /// taken answers NONE once complete, CONCURRENT_TRANSACTIONS while its markers are pending; the
    /// opposite decision, or ending with no transaction, answers INVALID_TXN_STATE.
    /// </summary>
    public Task<ErrorCode> EndTransactionAsync(string transactionalId, long producerId, short producerEpoch, bool commit)
    {
        if (Availability(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(unavailable);
        }
        if (!_entries.ContainsKey(transactionalId))
        {
            return Task.FromResult(ErrorCode.InvalidProducerIdMapping);
        }
        return OnOwner(transactionalId, entry => EndTransaction(entry, producerId, producerEpoch, commit));
    }

    private ErrorCode EndTransaction(TransactionEntry entry, long producerId, short producerEpoch, bool commit)
    {
        TransactionMetadata? m = entry.Metadata;
        ErrorCode check = CheckProducer(m, producerId, producerEpoch);
        if (check != ErrorCode.None)
        {
            return check;
        }
        switch (m!.State)
        {
            case TransactionState.Ongoing:
                return Prepare(entry, m, commit) ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
            case TransactionState.PrepareCommit:
                return commit ? ErrorCode.ConcurrentTransactions : ErrorCode.InvalidTxnState;
            case TransactionState.PrepareAbort:
                return commit ? ErrorCode.InvalidTxnState : ErrorCode.ConcurrentTransactions;
            case TransactionState.CompleteCommit:
                return commit ? ErrorCode.None : ErrorCode.InvalidTxnState;
            case TransactionState.CompleteAbort:
                return commit ? ErrorCode.InvalidTxnState : ErrorCode.None;
            case TransactionState.Dead:
                return ErrorCode.InvalidProducerIdMapping;
            default: // Empty, PrepareEpochFence
                return ErrorCode.InvalidTxnState;
        }
    }

    /// <summary>The producer id must be the id's current one (INVALID_PRODUCER_ID_MAPPING) at its current epoch (PRODUCER_FENCED).</summary>
    private static ErrorCode CheckProducer(TransactionMetadata? m, long producerId, short producerEpoch)
    {
        if (m is null || m.ProducerId != producerId)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }
        return m.ProducerEpoch != producerEpoch ? ErrorCode.ProducerFenced : ErrorCode.None;
    }

    /// <summary>Ongoing -> PrepareCommit/PrepareAbort, written; then the markers go out.</summary>
    private bool Prepare(TransactionEntry entry, TransactionMetadata m, bool commit)
    {
        var before = Copy(m);
        m.State = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
        m.LastUpdateTimestampMs = NowMs;
        if (!Persist(m))
        {
            Restore(m, before);
            return false;
        }
        SendMarkers(entry, m);
        return true;
    }

    /// <summary>
    /// Fences the producer of an ongoing transaction (timeout, or a new InitProducerId): the epoch
    /// is bumped (PrepareEpochFence, as Kafka) and the transaction aborted at the new epoch, so the
    /// old producer's writes and EndTxn are refused and its data is aborted by the marker.
    /// </summary>
    private bool FenceAndAbort(TransactionEntry entry, TransactionMetadata m)
    {
        var before = Copy(m);
        BumpEpoch(m);
        if (m.ProducerId != before.ProducerId)
        {
            // Epoch exhausted: the abort markers must carry the producer id the data was written with.
            Restore(m, before);
            m.ProducerEpoch = short.MaxValue;
        }
        return Prepare(entry, m, commit: false);
    }

    /// <summary>Writes the markers of a Prepare state (unless a write is in flight) and completes it when they are written.</summary>
    private void SendMarkers(TransactionEntry entry, TransactionMetadata m)
    {
        if (m.MarkersInFlight || m.State is not (TransactionState.PrepareCommit or TransactionState.PrepareAbort))
        {
            return;
        }
        m.MarkersInFlight = true;
        bool commit = m.State == TransactionState.PrepareCommit;
        long producerId = m.ProducerId;
        short epoch = m.ProducerEpoch;
        var partitions = m.Partitions.ToList();
        Task write;
        try
        {
            write = partitions.Count == 0 ? Task.CompletedTask : _markers.WriteMarkersAsync(m.TransactionalId, producerId, epoch, commit, partitions);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            write = Task.FromException(e);
        }
        write.ContinueWith(t => entry.Executor.Post(() => MarkersDone(m, commit, t.IsCompletedSuccessfully)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void MarkersDone(TransactionMetadata m, bool commit, bool written)
    {
        m.MarkersInFlight = false;
        if (!written)
        {
            return; // retried by the periodic check
        }
        var before = Copy(m);
        m.State = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        m.Partitions.Clear();
        m.LastUpdateTimestampMs = NowMs;
        if (!Persist(m))
        {
            // Stay prepared: the markers are written again and completion retried.
            Restore(m, before);
        }
    }
}
