using Rill.Protocol.Records;
using Rill.Storage.Epochs;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    private LeaderEpochCache _epochs = new(null);
    private volatile int _stampEpoch = -1;
    private long _replicatedHighWatermark = -1;

    /// <summary>The partition's leader epochs and their start offsets (<c>leader-epoch-checkpoint</c>).</summary>
    public LeaderEpochCache LeaderEpochs => _epochs;

    /// <summary>The epoch this log stamps into appended batches (-1: none, the single-node broker and followers).</summary>
    public int StampedLeaderEpoch => _stampEpoch;

    /// <summary>
    /// A replicated partition's high watermark as the broker last reported it, written to the log directory's
    /// <c>replication-offset-checkpoint</c>; at open, what that file held (bounded by the log end offset). -1: unknown.
    /// </summary>
    public long ReplicatedHighWatermark
    {
        get => Interlocked.Read(ref _replicatedHighWatermark);
        set => Interlocked.Exchange(ref _replicatedHighWatermark, value);
    }

    /// <summary>
    /// This replica leads the partition in <paramref name="epoch"/> (Kafka's makeLeader): the epoch starts at the log
    /// end offset in the epoch cache, and every batch appended from now on carries it in its partition leader epoch.
    /// </summary>
    public void BecomeLeader(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        lock (_lock)
        {
            ThrowIfClosed();
            _stampEpoch = epoch;
            _epochs.Assign(epoch, LogEndOffset);
        }
    }

    /// <summary>This replica no longer leads: appends stop stamping (a follower keeps the leader's epochs).</summary>
    public void BecomeFollower()
    {
        lock (_lock)
        {
            _stampEpoch = -1;
        }
    }

    /// <summary>OffsetForLeaderEpoch on this log: see <see cref="LeaderEpochCache.EndOffsetFor"/>.</summary>
    public EpochEndOffset EndOffsetForEpoch(int epoch) => _epochs.EndOffsetFor(epoch, LogEndOffset);

    /// <summary>
    /// Empties the log and starts it again at <paramref name="offset"/> (Kafka's truncateFullyAndStartAt): a follower
    /// whose log ends below the leader's log start. The epoch cache is cleared and producer state rebuilt.
    /// </summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            ThrowIfClosed();
            ResetToEmptyLocked(offset);
            _epochs.Clear();
            _truncations++;
            if (RecoveryPoint > LogEndOffset) Volatile.Write(ref _recoveryPoint, LogEndOffset);
            DirectorySync.Flush(Directory);
            RebuildProducerState();
        }
    }

    private void ResetToEmptyLocked(long offset)
    {
        foreach (LogSegment s in _segments) s.DeleteFiles();
        LogSegment fresh = OpenSegment(offset, NowMs);
        fresh.TruncateTo(0);
        fresh.EndOffset = offset;
        _segments = [fresh];
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _logEndOffset, offset);
    }

    /// <summary>
    /// Appended batches with a leader epoch newer than the cache's latest start that epoch (Kafka assigns on every
    /// append, leader's or follower's). One header read per batch; the cache is written only when an epoch begins.
    /// </summary>
    private void AssignEpochOf(ReadOnlySpan<byte> batch)
    {
        int epoch = Batch.PartitionLeaderEpoch(batch);
        if (epoch > _epochs.LatestEpoch) _epochs.Assign(epoch, Batch.BaseOffset(batch));
    }

    /// <summary>
    /// Loads the epoch cache at open (a missing file: no epochs). An unreadable checkpoint is rebuilt from the batches' leader epochs; after an
    /// unclean shutdown the batches of the recovered segments (from <paramref name="recoveredFrom"/>) are scanned too,
    /// as Kafka's segment recovery does, since the last append's new epoch may not have reached the file. Entries past
    /// the log end or below the log start are cut.
    /// </summary>
    private void LoadEpochs(long recoveredFrom, long? highWatermark)
    {
        string path = Path.Combine(Directory, LeaderEpochCheckpointFile.FileName);
        bool exists = File.Exists(path);
        bool readable = LeaderEpochCheckpointFile.TryRead(path, out List<EpochEntry> entries);
        _epochs = new LeaderEpochCache(path, entries, _dir.EnsureCreated);
        // A log that never had a leader epoch (single node: batches carry whatever the client wrote) is not scanned.
        long scanFrom = !exists ? long.MaxValue : readable ? recoveredFrom : LogStartOffset;
        if (!readable) _epochs.Clear();
        _epochs.TruncateFromEnd(LogEndOffset);
        if (scanFrom < LogEndOffset) ScanEpochs(scanFrom);
        _epochs.TruncateFromStart(LogStartOffset);
        _replicatedHighWatermark = highWatermark is { } hw && hw >= 0 ? Math.Min(hw, LogEndOffset) : -1;
    }

    private void ScanEpochs(long from)
    {
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        foreach (LogSegment seg in _segments)
        {
            if (seg.EndOffset <= from) continue;
            long limit = seg.Size;
            long pos = from > seg.BaseOffset ? seg.FindBatchPosition(from, limit, out _) : 0;
            if (pos < 0) continue;
            while (seg.TryReadHeader(pos, header, limit))
            {
                int total = Batch.TotalSize(header);
                if (total < RecordBatchLayout.HeaderSize) break;
                AssignEpochOf(header);
                pos += total;
            }
        }
    }
}
