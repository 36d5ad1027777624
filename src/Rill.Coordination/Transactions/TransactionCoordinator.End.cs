using Rill.Protocol;

namespace Rill.Coordination.Transactions;

/// <summary>The answer to EndTxn: v5+ carries the producer id and epoch the producer continues with.</summary>
public readonly record struct EndTxnResult(ErrorCode Error, long ProducerId, short ProducerEpoch)
{
    public static EndTxnResult Failed(ErrorCode error) => new(error, -1, -1);
}

public sealed partial class TransactionCoordinator
{
    /// <summary>Transactions v2 (KIP-890 part 2): the epoch is bumped at the end of every transaction.</summary>
    public const short TransactionVersion2 = 2;

    /// <summary>
    /// EndTxn. An ongoing transaction moves to PrepareCommit/PrepareAbort (written before the answer), then its
    /// markers are written and it completes. A retry of the decision already taken answers NONE once complete,
    /// CONCURRENT_TRANSACTIONS while its markers are pending; the opposite decision, or ending with no
    /// transaction, INVALID_TXN_STATE.
    /// <para>
    /// <paramref name="clientTransactionVersion"/> 2 (EndTxn v5 with transaction.version 2, KIP-890 part 2):
    /// the producer epoch is bumped before the markers are written (they carry the new epoch, so a late write of
    /// the transaction's epoch is fenced) and the answer names the producer id and epoch to continue with; an
    /// exhausted epoch (32766) continues with a new producer id at epoch 0. A retry names the epoch before the
    /// bump (or, after an exhausted epoch, the previous producer id at 32766). Ending a transaction to which no
    /// partition was added (the client cannot know whether its first Produce added one) bumps the epoch and
    /// completes without markers.
    /// </para>
    /// </summary>
    public Task<EndTxnResult> EndTransactionAsync(string transactionalId, long producerId, short producerEpoch, bool commit,
        short clientTransactionVersion)
    {
        if (Availability(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(EndTxnResult.Failed(unavailable));
        }
        if (!_entries.ContainsKey(transactionalId))
        {
            return Task.FromResult(EndTxnResult.Failed(ErrorCode.InvalidProducerIdMapping));
        }
        return OnOwner(transactionalId, entry => EndTransaction(entry, producerId, producerEpoch, commit, clientTransactionVersion >= TransactionVersion2));
    }

    private EndTxnResult EndTransaction(TransactionEntry entry, long producerId, short producerEpoch, bool commit, bool v2Request)
    {
        TransactionMetadata? m = entry.Metadata;
        if (m is null)
        {
            return EndTxnResult.Failed(ErrorCode.InvalidProducerIdMapping);
        }
        // Retries of a transactions-v2 end name the epoch before its bump, or the producer id before an exhausted epoch.
        bool v2State = m.ClientTransactionVersion >= TransactionVersion2;
        bool completed = m.State is TransactionState.CompleteCommit or TransactionState.CompleteAbort;
        bool prepared = m.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort;
        bool retryOnBump = v2State && (prepared || completed) && producerId == m.ProducerId && m.ProducerEpoch == producerEpoch + 1;
        bool retryOnOverflow = v2State && completed && producerId == m.PreviousProducerId && producerId != m.ProducerId
            && producerEpoch == short.MaxValue - 1 && m.ProducerEpoch == 0;
        bool retry = retryOnBump || retryOnOverflow;
        if (!retry)
        {
            ErrorCode check = CheckProducer(m, producerId, producerEpoch);
            if (check != ErrorCode.None)
            {
                return EndTxnResult.Failed(check);
            }
        }
        var current = new EndTxnResult(ErrorCode.None, m.ProducerId, m.ProducerEpoch);
        switch (m.State)
        {
            case TransactionState.Ongoing:
                if (!Prepare(entry, m, commit, bumpEpoch: v2Request))
                {
                    return EndTxnResult.Failed(ErrorCode.CoordinatorNotAvailable);
                }
                return m.NextProducerId >= 0
                    ? new EndTxnResult(ErrorCode.None, m.NextProducerId, 0)
                    : new EndTxnResult(ErrorCode.None, m.ProducerId, m.ProducerEpoch);
            case TransactionState.PrepareCommit:
                return EndTxnResult.Failed(commit ? ErrorCode.ConcurrentTransactions : ErrorCode.InvalidTxnState);
            case TransactionState.PrepareAbort:
                return EndTxnResult.Failed(commit ? ErrorCode.InvalidTxnState : ErrorCode.ConcurrentTransactions);
            case TransactionState.CompleteCommit when retry || !v2Request:
                return commit ? current : EndTxnResult.Failed(ErrorCode.InvalidTxnState);
            case TransactionState.CompleteAbort when retry || !v2Request:
                return commit ? EndTxnResult.Failed(ErrorCode.InvalidTxnState) : current;
            case TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort when v2Request:
                return EndEmpty(m, commit);
            case TransactionState.Dead:
                return EndTxnResult.Failed(ErrorCode.InvalidProducerIdMapping);
            default: // Empty (v1), PrepareEpochFence
                return EndTxnResult.Failed(ErrorCode.InvalidTxnState);
        }
    }

    /// <summary>
    /// Transactions v2, a transaction to which nothing was added: nothing to mark, but the producer still moves to
    /// the next epoch (a new producer id when exhausted), as after any end.
    /// </summary>
    private EndTxnResult EndEmpty(TransactionMetadata m, bool commit)
    {
        var before = Copy(m);
        BumpEpochForV2(m);
        MoveToNextProducerId(m);
        m.ClientTransactionVersion = TransactionVersion2;
        m.State = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        m.Partitions.Clear();
        m.LastUpdateTimestampMs = NowMs;
        if (!Persist(m))
        {
            Restore(m, before);
            return EndTxnResult.Failed(ErrorCode.CoordinatorNotAvailable);
        }
        return new EndTxnResult(ErrorCode.None, m.ProducerId, m.ProducerEpoch);
    }

    /// <summary>
    /// Transactions v2: the epoch moves up by one; at an exhausted epoch (32766, the last one a client may use)
    /// it becomes 32767 for the markers and a new producer id is reserved (<see cref="TransactionMetadata.NextProducerId"/>).
    /// </summary>
    private void BumpEpochForV2(TransactionMetadata m)
    {
        if (m.ProducerEpoch >= short.MaxValue - 1)
        {
            m.NextProducerId = _producerIds.Next();
        }
        m.LastProducerEpoch = m.ProducerEpoch;
        m.ProducerEpoch = m.ProducerEpoch == short.MaxValue ? short.MaxValue : (short)(m.ProducerEpoch + 1);
    }

    /// <summary>Once a transaction completed: the reserved producer id (exhausted epoch) becomes the current one, at epoch 0.</summary>
    private static void MoveToNextProducerId(TransactionMetadata m)
    {
        if (m.NextProducerId < 0)
        {
            return;
        }
        m.PreviousProducerId = m.ProducerId;
        m.LastProducerEpoch = m.ProducerEpoch;
        m.ProducerId = m.NextProducerId;
        m.ProducerEpoch = 0;
        m.NextProducerId = -1;
    }
}
