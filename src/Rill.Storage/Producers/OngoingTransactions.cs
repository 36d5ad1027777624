using Rill.Storage.Segments;

namespace Rill.Storage.Producers;

/// <summary>
/// The open transactions of one partition: the first offset of each producer's ongoing
/// transaction, from which the last stable offset follows (the first offset of the oldest open
/// transaction, else the high watermark). A control batch (commit or abort marker) closes the
/// producer's transaction; an abort yields the <see cref="AbortedTxn"/> entry for the
/// .txnindex. Fed by <see cref="ProducerStateManager"/> on append and when rebuilding.
/// </summary>
internal sealed class OngoingTransactions
{
    private readonly Dictionary<long, long> _firstOffsets = [];
    private readonly SortedSet<(long FirstOffset, long ProducerId)> _byOffset = [];

    public int Count => _firstOffsets.Count;

    /// <summary>Records a transactional data batch of <paramref name="producerId"/> starting at <paramref name="firstOffset"/>.</summary>
    public void OnTransactionalData(long producerId, long firstOffset)
    {
        if (_firstOffsets.TryAdd(producerId, firstOffset))
        {
            _byOffset.Add((firstOffset, producerId));
        }
    }

    /// <summary>
    /// Closes the producer's transaction at its marker (<paramref name="markerOffset"/>). Returns
    /// the aborted-transaction entry when <paramref name="commit"/> is false and the producer had
    /// data in it, computing its LSO after the close as Kafka does; null otherwise.
    /// </summary>
    public AbortedTxn? OnMarker(long producerId, long markerOffset, bool commit, long highWatermarkAfter)
    {
        if (!_firstOffsets.Remove(producerId, out long first))
        {
            return null;
        }
        _byOffset.Remove((first, producerId));
        return commit ? null : new AbortedTxn(producerId, first, markerOffset, LastStableOffset(highWatermarkAfter));
    }

    /// <summary>Forgets the producer's open transaction without a marker (its data went below the log start).</summary>
    public void Remove(long producerId)
    {
        if (_firstOffsets.Remove(producerId, out long first)) _byOffset.Remove((first, producerId));
    }

    /// <summary>The first offset of the oldest open transaction, or <paramref name="highWatermark"/> when none is open before it.</summary>
    public long LastStableOffset(long highWatermark) =>
        _byOffset.Count == 0 ? highWatermark : Math.Min(_byOffset.Min.FirstOffset, highWatermark);

    /// <summary>The ongoing transactions, oldest first (DescribeProducers, find-hanging).</summary>
    public IEnumerable<(long ProducerId, long FirstOffset)> Open() => _byOffset.Select(e => (e.ProducerId, e.FirstOffset));
}
