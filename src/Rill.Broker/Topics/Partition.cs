using System.Buffers.Binary;
using Rill.Broker.Metrics;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Broker.Topics;

/// <summary>Outcome of a produce to one partition; <see cref="RecordErrors"/> names the records at fault (KIP-467).</summary>
internal readonly record struct PartitionAppendResult(ErrorCode Error, string? ErrorMessage, long BaseOffset, long LogAppendTime,
    IReadOnlyList<RecordError>? RecordErrors = null);

/// <summary>Outcome of a fetch from one partition: stored batches as stored, and the log bounds.</summary>
internal readonly record struct PartitionReadResult(ErrorCode Error, ReadOnlyMemory<byte> Records, long HighWatermark, long LogStartOffset,
    long LastStableOffset = -1, List<AbortedTransaction>? AbortedTransactions = null);

/// <summary>
/// One partition on this broker: its log plus what the front end needs around it (validation of
/// incoming batches, long-poll wake-ups). The log does offset assignment and idempotence checks
/// atomically with the write.
/// </summary>
internal sealed class Partition
{
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, object?>[] _metricTags;

    private readonly Func<PartitionLog>? _open;
    private readonly object _logGate = new();
    private PartitionLog? _log;

    public Partition(Topic topic, int index, PartitionLog log, TimeProvider? time = null, Func<PartitionLog>? reopen = null)
    {
        Topic = topic;
        Index = index;
        _time = time ?? TimeProvider.System;
        _metricTags = BrokerMeters.TopicTags(topic.Name);
        _open = reopen;
        Attach(log);
    }

    /// <summary>Cluster mode: a partition whose log is created on first use, i.e. only on brokers that host a replica of it.</summary>
    public Partition(Topic topic, int index, Func<PartitionLog> open, TimeProvider? time = null)
    {
        Topic = topic;
        Index = index;
        _time = time ?? TimeProvider.System;
        _metricTags = BrokerMeters.TopicTags(topic.Name);
        _open = open;
    }

    public Topic Topic { get; }
    internal KeyValuePair<string, object?>[] MetricTags => _metricTags;
    public int Index { get; }

    /// <summary>The partition's log, opened (created) on first use for a cluster partition.</summary>
    public PartitionLog Log => Volatile.Read(ref _log) ?? OpenLog();

    /// <summary>The log if this broker has one (what size reports and config changes look at), else null.</summary>
    public PartitionLog? OpenedLog => Volatile.Read(ref _log);

    private PartitionLog OpenLog()
    {
        lock (_logGate)
        {
            return _log ?? Attach((_open ?? throw new InvalidOperationException("partition without a log"))());
        }
    }

    private PartitionLog Attach(PartitionLog log)
    {
        log.ControlBatchAppended = Appended.Notify; // a transaction marker moves the LSO read_committed fetches wait for
        Volatile.Write(ref _log, log);
        return log;
    }

    /// <summary>Cluster mode: this broker no longer hosts the partition; the caller deletes the log's files (null: there was none).</summary>
    internal PartitionLog? DetachLog()
    {
        lock (_logGate)
        {
            PartitionLog? log = _log;
            Volatile.Write(ref _log, null);
            return _open is null ? throw new InvalidOperationException("only a cluster partition can drop its log") : log;
        }
    }
    public AppendSignal Appended { get; } = new();

    public long LogStartOffset => OpenedLog?.LogStartOffset ?? 0;
    public long HighWatermark => Replica?.HighWatermark ?? Log.HighWatermark;

    /// <summary>Cluster mode: this broker's replica state of the partition (leader, ISR, high watermark); null on a single node.</summary>
    public Replication.PartitionReplica? Replica { get; internal set; }

    /// <summary>Offsets below it hold no data of a transaction still open (what read_committed consumers may read).</summary>
    public long LastStableOffset => Replica is { } replica ? Math.Min(Log.LastStableOffset, replica.HighWatermark) : Log.LastStableOffset;

    /// <summary>Validates the batches in <paramref name="records"/>, then appends them (patching offsets in place).</summary>
    public PartitionAppendResult Append(Memory<byte> records, short produceVersion)
    {
        PartitionAppendResult result = AppendCore(records, produceVersion);
        if (result.Error != ErrorCode.None)
        {
            BrokerMeters.ProduceErrors.Add(1, [_metricTags[0], new("error", result.Error.ToString())]);
        }
        return result;
    }

    private PartitionAppendResult AppendCore(Memory<byte> records, short produceVersion)
    {
        TopicSettings config = Topic.Config;
        Memory<byte> batches = records;
        byte magic = records.Length > RecordBatchLayout.Magic ? records.Span[RecordBatchLayout.Magic] : (byte)0xFF;
        if (magic < 2)
        {
            if (produceVersion >= 3)
            {
                return Fail(ErrorCode.InvalidRecord, $"Produce v{produceVersion} requires record batches of magic 2; got magic {magic}.");
            }
            if (!LegacyMessageSetConverter.TryConvert(records.Span, out byte[]? converted, out string? reason))
            {
                return Fail(ErrorCode.CorruptMessage, reason);
            }
            batches = converted;
        }

        var validation = RecordBatchValidator.Validate(batches.Span, requireKeys: config.Compacted);
        if (validation.Error != ErrorCode.None)
        {
            return new PartitionAppendResult(validation.Error, validation.Message, -1, -1, validation.RecordErrors);
        }
        if (validation.MaxBatchSize > config.MaxMessageBytes)
        {
            return Fail(ErrorCode.MessageTooLarge,
                $"A record batch of {validation.MaxBatchSize} bytes is larger than max.message.bytes ({config.MaxMessageBytes}).");
        }
        if (config.TimestampType == TimestampType.CreateTime && CheckTimestamps(batches.Span, config) is { } timestampErrors)
        {
            return new PartitionAppendResult(ErrorCode.InvalidTimestamp, RecordErrors.Summarize(timestampErrors) +
                $" (message.timestamp.before.max.ms={config.TimestampBeforeMaxMs}, message.timestamp.after.max.ms={config.TimestampAfterMaxMs})",
                -1, -1, timestampErrors);
        }

        AppendResult result = Log.Append(batches.Span);
        if (result.Error != ErrorCode.None)
        {
            return Fail(result.Error, null);
        }
        if (!result.IsDuplicate)
        {
            Replica?.OnLeaderAppended(result.LastOffset + 1);
            Appended.Notify();
            BrokerMeters.BytesIn.Add(batches.Length, _metricTags);
            BrokerMeters.MessagesIn.Add(result.LastOffset - result.FirstOffset + 1, _metricTags);
        }
        return new PartitionAppendResult(ErrorCode.None, null, result.FirstOffset, result.LogAppendTime);
    }

    /// <summary>Reads whole batches from <paramref name="offset"/> into a buffer rented from <paramref name="buffers"/>.</summary>
    public PartitionReadResult Read(long offset, int maxBytes, bool minOneBatch, IReadBufferSource buffers)
    {
        if (Replica is { } replica)
        {
            return Replication.ReplicaReads.BelowHighWatermark(this, replica.HighWatermark, offset, maxBytes, minOneBatch, buffers);
        }
        LogReadResult read = Log.Read(offset, maxBytes, minOneBatch);
        ReadOnlyMemory<byte> records = read.Error == ErrorCode.None ? read.CopyTo(buffers) : ReadOnlyMemory<byte>.Empty;
        BrokerMeters.BytesOut.Add(records.Length, _metricTags);
        return new PartitionReadResult(read.Error, records, read.HighWatermark, read.LogStartOffset, Log.LastStableOffset);
    }

    /// <summary>
    /// A read_committed read: whole batches below the last stable offset only, with the aborted transactions that
    /// have data in the range returned (the client drops their records).
    /// </summary>
    public PartitionReadResult ReadCommitted(long offset, int maxBytes, bool minOneBatch, IReadBufferSource buffers)
    {
        long lastStable = LastStableOffset;
        LogReadResult read = Log.Read(offset, maxBytes, minOneBatch, lastStable);
        ReadOnlyMemory<byte> records = read.Error == ErrorCode.None ? read.CopyTo(buffers) : ReadOnlyMemory<byte>.Empty;
        BrokerMeters.BytesOut.Add(records.Length, _metricTags);
        List<AbortedTransaction>? aborted = records.IsEmpty ? null
            : Log.CollectAbortedTransactions(offset, RecordBatchWalker.NextOffsetAfter(records.Span));
        return new PartitionReadResult(read.Error, records, Replica?.HighWatermark ?? read.HighWatermark, read.LogStartOffset, lastStable, aborted);
    }

    public (long Offset, long Timestamp) FindOffsetForTimestamp(long timestamp)
    {
        TimestampOffset found = Log.FindOffsetByTimestamp(timestamp);
        return found.Found ? (found.Offset, found.Timestamp) : (-1, -1);
    }

    public (long Offset, long Timestamp) FindMaxTimestamp()
    {
        TimestampOffset found = Log.FindMaxTimestamp();
        return found.Found ? (found.Offset, found.Timestamp) : (-1, -1);
    }

    /// <summary>
    /// message.timestamp.before.max.ms / after.max.ms (KIP-937) for CreateTime topics: every record's
    /// timestamp must lie within [now - before, now + after]; the records outside it are named (KIP-467).
    /// Timestamps of -1 (converted magic 0 sets) are not checked, as in Kafka.
    /// </summary>
    private List<RecordError>? CheckTimestamps(ReadOnlySpan<byte> batches, TopicSettings config)
    {
        if (config.TimestampBeforeMaxMs == long.MaxValue && config.TimestampAfterMaxMs == long.MaxValue)
        {
            return null;
        }
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long earliest = config.TimestampBeforeMaxMs >= now ? long.MinValue : now - config.TimestampBeforeMaxMs;
        long latest = config.TimestampAfterMaxMs > long.MaxValue - now ? long.MaxValue : now + config.TimestampAfterMaxMs;
        return RecordTimestampCheck.FindOutOfRange(batches, earliest, latest);
    }

    private static PartitionAppendResult Fail(ErrorCode error, string? message) => new(error, message, -1, -1);

}
