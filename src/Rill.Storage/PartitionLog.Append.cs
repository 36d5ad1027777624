using Rill.Protocol;
using Rill.Storage.Internal;
using Rill.Storage.Producers;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Appends one or more record batches (magic 2, already validated by the broker) held in a buffer the caller
    /// owns. Under the log's lock: checks idempotent producer sequences, patches each batch's BaseOffset (and for
    /// LogAppendTime topics its MaxTimestamp, timestamp-type bit and CRC) in place, rolls the segment if needed,
    /// writes the bytes with one write syscall and updates the indexes. Allocation-free in steady state.
    /// Transactional batches open their producer's transaction (holding the last stable offset back); a control
    /// batch (a commit or abort marker, <see cref="ControlRecord.BuildMarker"/>) closes it, and an abort adds the
    /// transaction to the .txnindex of the segment holding the marker.
    /// </summary>
    /// <returns>
    /// The assigned offsets; a duplicate of one of a producer's last five batches writes nothing and returns the
    /// original offsets with <see cref="AppendResult.IsDuplicate"/>; producer errors (OUT_OF_ORDER_SEQUENCE_NUMBER,
    /// INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTION_COORDINATOR_FENCED), CORRUPT_MESSAGE for a malformed buffer, MESSAGE_TOO_LARGE for a batch over
    /// max.message.bytes and RECORD_LIST_TOO_LARGE for a buffer over segment.bytes come back as error codes.
    /// </returns>
    public AppendResult Append(Span<byte> batches)
    {
        bool markers = false;
        AppendResult result;
        lock (_lock)
        {
            result = AppendLocked(batches, ref markers);
        }
        // Outside the lock: a marker moved the last stable offset, which read_committed long polls wait for.
        if (markers) ControlBatchAppended?.Invoke();
        return result;
    }

    /// <summary>
    /// Called after an append that held a control batch (transaction marker), outside the log's lock: the broker wakes
    /// the fetches waiting on this partition, as the last stable offset may have moved.
    /// </summary>
    public Action? ControlBatchAppended { get; set; }

    private AppendResult AppendLocked(Span<byte> batches, ref bool markers)
    {
        {
            ThrowIfClosed();
            LogConfig config = Config;
            long logStart = LogStartOffset;
            if (batches.Length == 0) return AppendResult.Failed(ErrorCode.CorruptMessage, logStart);
            if (batches.Length > config.SegmentBytes) return AppendResult.Failed(ErrorCode.RecordListTooLarge, logStart);

            // Pass 1: framing and producer state, before anything changes.
            int pos = 0;
            while (pos < batches.Length)
            {
                ReadOnlySpan<byte> b = batches[pos..];
                int total = Batch.CheckHeader(b, b.Length, int.MaxValue);
                if (total < 0) return AppendResult.Failed(ErrorCode.CorruptMessage, logStart);
                if (total > config.MaxMessageBytes) return AppendResult.Failed(ErrorCode.MessageTooLarge, logStart);
                long pid = Batch.ProducerId(b);
                if (pid >= 0 && Batch.IsControl(b))
                {
                    // A transaction marker: refused from an older producer epoch or an older coordinator.
                    if (Batch.TryReadMarker(b[..total], out _, out int coordinatorEpoch))
                    {
                        ErrorCode markerError = _producers.CheckMarker(pid, Batch.ProducerEpoch(b), coordinatorEpoch);
                        if (markerError != ErrorCode.None) return AppendResult.Failed(markerError, logStart);
                    }
                }
                else if (pid >= 0)
                {
                    ErrorCode error = CheckProducer(batches, pos, pid, out BatchMetadata duplicate, out bool isDuplicate);
                    if (isDuplicate)
                    {
                        return new AppendResult(ErrorCode.None, duplicate.FirstOffset, duplicate.LastOffset,
                            config.MessageTimestampType == TimestampType.LogAppendTime ? duplicate.Timestamp : -1,
                            logStart, IsDuplicate: true);
                    }
                    if (error != ErrorCode.None) return AppendResult.Failed(error, logStart);
                }
                pos += total;
            }

            // Pass 2: assign offsets (and LogAppendTime).
            long now = NowMs;
            bool logAppendTime = config.MessageTimestampType == TimestampType.LogAppendTime;
            int stampEpoch = _stampEpoch;
            long first = LogEndOffset;
            long next = first;
            long maxTimestamp = -1;
            long records = 0;
            pos = 0;
            while (pos < batches.Length)
            {
                Span<byte> b = batches[pos..];
                int total = Batch.TotalSize(b);
                Batch.SetBaseOffset(b, next);
                if (stampEpoch >= 0) Batch.SetPartitionLeaderEpoch(b, stampEpoch);
                if (logAppendTime) Batch.SetLogAppendTime(b[..total], now);
                maxTimestamp = Math.Max(maxTimestamp, Batch.MaxTimestamp(b));
                records += Math.Max(1, Batch.RecordCount(b));
                next += Batch.LastOffsetDelta(b) + 1L;
                pos += total;
            }

            LogSegment segment = Active;
            if (segment.ShouldRoll(batches.Length, maxTimestamp, next - 1, now)) segment = RollLocked(now);
            segment.Append(batches);

            // Pass 3: producer and transaction state, now that the bytes are in the log.
            pos = 0;
            while (pos < batches.Length)
            {
                ReadOnlySpan<byte> b = batches[pos..];
                int total = Batch.TotalSize(b);
                if (_producers.ApplyBatch(b[..total]) is { } aborted) segment.TxnIndex.Append(aborted);
                if (stampEpoch >= 0) AssignEpochOf(b); // unstamped: the client's value means nothing
                markers |= Batch.IsControl(b);
                pos += total;
            }

            Volatile.Write(ref _logEndOffset, next);
            UpdateLastStableOffsetLocked();
            _unflushedMessages += records;
            if (_unflushedMessages >= config.FlushIntervalMessages || now - _lastFlushMs >= config.FlushIntervalMs)
            {
                FlushLocked(now);
            }
            return new AppendResult(ErrorCode.None, first, next - 1, logAppendTime ? now : -1, logStart, IsDuplicate: false);
        }
    }

    /// <summary>
    /// Producer checks for the batch at <paramref name="pos"/>; an earlier batch of the same producer in the same
    /// buffer counts as already appended.
    /// </summary>
    private ErrorCode CheckProducer(Span<byte> batches, int pos, long pid, out BatchMetadata duplicate, out bool isDuplicate)
    {
        ReadOnlySpan<byte> b = batches[pos..];
        short epoch = Batch.ProducerEpoch(b);
        int firstSeq = Batch.BaseSequence(b);
        int lastSeq = Batch.LastSequence(firstSeq, Batch.LastOffsetDelta(b));

        bool hasPending = false;
        short pendingEpoch = 0;
        int pendingLastSeq = 0;
        int p = 0;
        while (p < pos)
        {
            ReadOnlySpan<byte> earlier = batches[p..];
            if (Batch.ProducerId(earlier) == pid && !Batch.IsControl(earlier))
            {
                hasPending = true;
                pendingEpoch = Batch.ProducerEpoch(earlier);
                int s = Batch.BaseSequence(earlier);
                pendingLastSeq = Batch.LastSequence(s, Batch.LastOffsetDelta(earlier));
            }
            p += Batch.TotalSize(earlier);
        }
        return _producers.Check(pid, epoch, firstSeq, lastSeq, hasPending, pendingEpoch, pendingLastSeq, out duplicate, out isDuplicate,
            Batch.IsTransactional(b));
    }

    /// <summary>
    /// Starts a new segment at the log end offset (Kafka's log.roll), unless the active one is empty, and returns once
    /// the rolled segment is flushed (an append that rolls does not wait for that).
    /// </summary>
    public void Roll()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (Active.Size > 0) RollLocked(NowMs);
        }
        WaitForRollFlushes();
    }

    private LogSegment RollLocked(long now)
    {
        LogSegment old = Active;
        long newBase = LogEndOffset;
        old.OnBecomeInactive();
        // The old segment's fsync, the producer snapshot and the directory sync happen off the append path
        // (PartitionLog.RollFlush.cs); the recovery point moves once they are done.
        ScheduleRollFlushLocked(old, newBase);
        _unflushedMessages = 0;
        _lastFlushMs = now;

        LogSegment created = OpenSegment(newBase, now);
        if (created.Size != 0)
        {
            // A leftover file at this offset can only be stale data; start it afresh.
            created.TruncateTo(0);
        }
        created.EndOffset = newBase;
        LogSegment[] current = _segments;
        var next = new LogSegment[current.Length + 1];
        Array.Copy(current, next, current.Length);
        next[^1] = created;
        _segments = next;
        return created;
    }

    /// <summary>fsyncs the active segment and moves the recovery point to the log end offset.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            FlushLocked(NowMs);
        }
    }

    /// <summary>Flushes if flush.ms has passed since the last fsync; for a periodic task of the log manager.</summary>
    public void FlushIfDue()
    {
        // Read without the lock (a stale value only delays the flush to the next tick): the maintenance tick asks
        // every log each second, and most of tens of thousands of partitions have nothing to flush.
        if (Volatile.Read(ref _unflushedMessages) == 0) return;
        lock (_lock)
        {
            if (_closed) return;
            long now = NowMs;
            if (_unflushedMessages > 0 && now - _lastFlushMs >= Config.FlushIntervalMs) FlushLocked(now);
        }
    }

    private void FlushLocked(long now)
    {
        if (!_dir.Exists) return; // a new log never written has nothing to sync
        long flushStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        // Rolled segments whose background flush has not run yet are above the recovery point too.
        long recoveryPoint = RecoveryPoint;
        foreach (LogSegment s in _segments)
        {
            if (s.BaseOffset >= recoveryPoint && s != Active) s.Flush();
        }
        Active.Flush();
        StorageMeters.RecordFlush(flushStarted);
        _unflushedMessages = 0;
        _lastFlushMs = now;
        Volatile.Write(ref _recoveryPoint, LogEndOffset);
    }
}
