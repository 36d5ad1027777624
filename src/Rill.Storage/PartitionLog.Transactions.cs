using Rill.Storage.Producers;
using Rill.Storage.Segments;

namespace Rill.Storage;

/// <summary>An aborted transaction a read_committed fetch reports: its producer and first offset (Fetch's AbortedTransactions).</summary>
public readonly record struct AbortedTransaction(long ProducerId, long FirstOffset);

/// <summary>One producer's state in a partition (DescribeProducers).</summary>
public readonly record struct ProducerStateInfo(long ProducerId, short ProducerEpoch, int LastSequence, long LastTimestamp,
    int CoordinatorEpoch, long CurrentTxnStartOffset);

public sealed partial class PartitionLog
{
    private long _lastStableOffset;

    /// <summary>
    /// Offsets below it are stable: no transaction that is still open has data there (the first offset of the oldest
    /// open transaction, else the high watermark; never below the log start offset). A read_committed consumer reads
    /// only below it.
    /// </summary>
    public long LastStableOffset => Volatile.Read(ref _lastStableOffset);

    /// <summary>Number of transactions open in this partition (data appended, no marker yet).</summary>
    public int OngoingTransactionCount { get { lock (_lock) return _producers.Ongoing.Count; } }

    private void UpdateLastStableOffsetLocked()
    {
        long lso = _producers.Ongoing.LastStableOffset(LogEndOffset);
        Volatile.Write(ref _lastStableOffset, Math.Max(lso, Math.Min(LogStartOffset, LogEndOffset)));
    }

    /// <summary>
    /// The log start offset moved: open transactions whose data is all below it stop holding the LSO back.
    /// </summary>
    private void OnLogStartOffsetIncrementedLocked()
    {
        _producers.OnLogStartOffsetIncremented(LogStartOffset);
        UpdateLastStableOffsetLocked();
    }

    /// <summary>
    /// The aborted transactions a read_committed fetch of [<paramref name="fetchOffset"/>, <paramref name="upperBound"/>)
    /// must report: those with data in the range, from the .txnindex of the segment holding the fetch offset and the
    /// ones after it. Null (no allocation) when there are none. Lock-free.
    /// </summary>
    public List<AbortedTransaction>? CollectAbortedTransactions(long fetchOffset, long upperBound)
    {
        LogSegment[] segments = _segments;
        List<AbortedTxn>? found = null;
        for (int i = FindSegmentIndex(segments, fetchOffset); i < segments.Length; i++)
        {
            if (segments[i].TxnIndex.Collect(fetchOffset, upperBound, ref found)) break;
        }
        if (found is null) return null;
        var result = new List<AbortedTransaction>(found.Count);
        foreach (AbortedTxn txn in found) result.Add(new AbortedTransaction(txn.ProducerId, txn.FirstOffset));
        return result;
    }

    /// <summary>
    /// producer.id.expiration.ms (KIP-854): drops the state of producers that have not written for
    /// <paramref name="expirationMs"/> (by their batches' timestamps) and have no open transaction here; their
    /// next write is accepted at any sequence, as from a new producer. Returns how many were dropped.
    /// </summary>
    public int RemoveExpiredProducers(long expirationMs)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            return _producers.RemoveExpired(NowMs, expirationMs);
        }
    }

    /// <summary>The producers with state in this partition (DescribeProducers), with their open transaction if any.</summary>
    public List<ProducerStateInfo> GetProducers()
    {
        lock (_lock)
        {
            var result = new List<ProducerStateInfo>(_producers.Count);
            foreach (ProducerEntry e in _producers.Entries)
            {
                result.Add(new ProducerStateInfo(e.ProducerId, e.Epoch, e.LastSeq, e.LastTimestamp, e.CoordinatorEpoch,
                    e.CurrentTxnFirstOffset));
            }
            return result;
        }
    }

    /// <summary>Every segment's .txnindex entries, oldest first (tests and tools).</summary>
    internal List<AbortedTxn> TxnIndexEntries()
    {
        var all = new List<AbortedTxn>();
        foreach (LogSegment s in _segments) all.AddRange(s.TxnIndex.Entries);
        return all;
    }
}
