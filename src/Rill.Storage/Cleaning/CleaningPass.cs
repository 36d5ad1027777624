namespace Rill.Storage.Cleaning;

/// <summary>
/// The rules of one cleaning of one log (Kafka's shouldRetainRecord): a record goes when a later record in the
/// dirty part has the same key, when it has no key, when it is a tombstone whose delete.retention.ms has
/// passed, or when its batch belongs to an aborted transaction; everything else stays with its offset.
/// Transaction markers go once their transaction's data is gone and delete.retention.ms has passed.
/// Counts what it decides.
/// </summary>
internal sealed class CleaningPass
{
    private readonly OffsetMap _map;
    private readonly long _tombstoneCutoffMs;
    private readonly long _deleteRetentionMs;
    private readonly IReadOnlyDictionary<long, long> _producerLastOffsets;

    public CleaningPass(OffsetMap map, long nowMs, long deleteRetentionMs, IReadOnlyDictionary<long, long> producerLastOffsets,
        CleanedTransactions? transactions = null)
    {
        _map = map;
        _deleteRetentionMs = deleteRetentionMs;
        _tombstoneCutoffMs = deleteRetentionMs >= nowMs ? long.MinValue : nowMs - deleteRetentionMs;
        _producerLastOffsets = producerLastOffsets;
        Transactions = transactions ?? new CleanedTransactions([]);
    }

    /// <summary>The transactions of the range walked (aborted data goes, markers go once their data has).</summary>
    public CleanedTransactions Transactions { get; }

    /// <summary>The .txnindex entries of the abort markers kept in the group being written (its cleaned .txnindex).</summary>
    public List<Segments.AbortedTxn> KeptAbortedTxns { get; } = [];

    public long AbortedRecordsDropped { get; private set; }
    public long MarkersDropped { get; private set; }

    /// <summary>A data batch of an aborted transaction: all its records go.</summary>
    public bool DiscardAbortedBatch(ReadOnlySpan<byte> header, int recordCount)
    {
        if (!Transactions.OnDataBatch(header)) return false;
        RecordsRead += recordCount;
        AbortedRecordsDropped += recordCount;
        return true;
    }

    /// <summary>
    /// A transaction marker goes once its transaction has no data left and its own timestamp is older than
    /// delete.retention.ms (as a tombstone: consumers that were behind still see it); an abort marker that stays while
    /// data of its transaction was seen keeps its .txnindex entry.
    /// </summary>
    public bool DiscardMarker(ReadOnlySpan<byte> batch)
    {
        bool canDiscard = Transactions.OnControlBatch(batch, out Segments.AbortedTxn? kept);
        if (kept is { } entry) KeptAbortedTxns.Add(entry);
        if (!canDiscard) return false;
        long timestamp = Internal.Batch.MaxTimestamp(batch);
        if (timestamp < _tombstoneCutoffMs)
        {
            MarkersDropped++;
            return true;
        }
        long expiry = timestamp > long.MaxValue - _deleteRetentionMs ? long.MaxValue : timestamp + _deleteRetentionMs;
        NextTombstoneExpiryMs = Math.Min(NextTombstoneExpiryMs, expiry);
        return false;
    }

    public long RecordsRead { get; private set; }
    public long RecordsKept { get; private set; }
    public long TombstonesDropped { get; private set; }

    /// <summary>Earliest time at which a tombstone kept by this pass may go (long.MaxValue: none kept).</summary>
    public long NextTombstoneExpiryMs { get; private set; } = long.MaxValue;

    public bool Retain(long offset, long timestamp, in CleanerRecord record)
    {
        RecordsRead++;
        if (!record.HasKey)
        {
            return false; // a compacted log has no use for keyless records (Kafka drops them as invalid)
        }
        long latest = _map.Get(record.Key);
        if (latest > offset)
        {
            return false;
        }
        if (record.IsTombstone)
        {
            if (timestamp < _tombstoneCutoffMs)
            {
                TombstonesDropped++;
                return false;
            }
            long expiry = timestamp > long.MaxValue - _deleteRetentionMs ? long.MaxValue : timestamp + _deleteRetentionMs;
            NextTombstoneExpiryMs = Math.Min(NextTombstoneExpiryMs, expiry);
        }
        RecordsKept++;
        return true;
    }

    /// <summary>
    /// Whether a batch whose records all went stays as an empty batch: the last batch of an idempotent producer
    /// keeps its header so the producer's sequence survives a restart (as Kafka's RETAIN_EMPTY).
    /// </summary>
    public bool KeepEmpty(long producerId, long lastOffset)
        => producerId >= 0 && _producerLastOffsets.TryGetValue(producerId, out long last) && last == lastOffset;
}
