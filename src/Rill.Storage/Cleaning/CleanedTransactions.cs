using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage.Cleaning;

/// <summary>
/// What the cleaner knows about transactions while it walks the cleanable part of a log in offset order (Kafka's
/// CleanedTransactionMetadata). Fed with the aborted transactions of the range (from the .txnindex), it says:
/// <list type="bullet">
/// <item>a transactional data batch of an aborted transaction is discarded (and never enters the offset map, so an
/// aborted record cannot remove a committed one);</item>
/// <item>an abort marker is kept, with its .txnindex entry, while this pass still saw data of its transaction; once the
/// data is gone the marker may go (after delete.retention.ms) and its entry is dropped;</item>
/// <item>a commit marker may go once no data of its transaction is seen in the pass.</item>
/// </list>
/// One instance per walk (building the map and filtering each walk the range once).
/// </summary>
internal sealed class CleanedTransactions
{
    private readonly List<AbortedTxn> _aborted; // by first offset
    private int _next;
    private readonly Dictionary<long, (AbortedTxn Txn, bool SawData)> _ongoingAborted = [];
    private readonly HashSet<long> _ongoingCommitted = [];

    public CleanedTransactions(List<AbortedTxn> aborted)
    {
        _aborted = aborted;
        _aborted.Sort((a, b) => a.FirstOffset.CompareTo(b.FirstOffset));
    }

    /// <summary>No transactions in the range: every question answers "keep".</summary>
    public bool IsEmpty => _aborted.Count == 0 && _ongoingAborted.Count == 0 && _ongoingCommitted.Count == 0;

    private void ConsumeAbortedUpTo(long offset)
    {
        while (_next < _aborted.Count && _aborted[_next].FirstOffset <= offset)
        {
            AbortedTxn txn = _aborted[_next++];
            _ongoingAborted[txn.ProducerId] = (txn, false);
        }
    }

    /// <summary>A data batch (header enough): true when it belongs to an aborted transaction and must go.</summary>
    public bool OnDataBatch(ReadOnlySpan<byte> header)
    {
        // An empty batch (a producer's last batch kept for its sequence) has nothing to filter or commit.
        if (!Batch.IsTransactional(header) || Batch.RecordCount(header) == 0) return false;
        long pid = Batch.ProducerId(header);
        ConsumeAbortedUpTo(Batch.LastOffset(header));
        if (_ongoingAborted.TryGetValue(pid, out var aborted))
        {
            _ongoingAborted[pid] = (aborted.Txn, true);
            return true;
        }
        _ongoingCommitted.Add(pid);
        return false;
    }

    /// <summary>
    /// A control batch (whole): true when the marker may be discarded (its transaction has no data left in the
    /// range walked). <paramref name="keptEntry"/> is the .txnindex entry the cleaned segment keeps with it.
    /// </summary>
    public bool OnControlBatch(ReadOnlySpan<byte> batch, out AbortedTxn? keptEntry)
    {
        keptEntry = null;
        long pid = Batch.ProducerId(batch);
        ConsumeAbortedUpTo(Batch.LastOffset(batch));
        if (!Batch.TryReadMarker(batch, out bool commit, out _)) return false;
        if (commit) return !_ongoingCommitted.Remove(pid);
        if (_ongoingAborted.Remove(pid, out var aborted) && aborted.SawData)
        {
            keptEntry = aborted.Txn;
            return false;
        }
        return true;
    }
}
